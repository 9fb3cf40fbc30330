#include "ir/ops/conv2d_nchwc_task.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "ir/ops/conv2d_winograd.h"
#include "ir/ops/layout.h"

namespace kiln::ir::ops {

absl::StatusOr<tuners::TuningTask> MakeConv2dNCHWcTask(const Conv2dWorkload& w,
                                                       const targets::Target& target,
                                                       const Conv2dBlocks* fixed) {
  auto space = Conv2dNCHWcSpace(w, target, fixed);
  if (!space.ok()) return space.status();
  tuners::TuningTask task;
  task.name = kConv2dNCHWcTaskName;
  task.args = tuners::Json(tuners::Json::Array{
      tuners::Json(w.batch), tuners::Json(w.in_channels), tuners::Json(w.height),
      tuners::Json(w.width), tuners::Json(w.out_channels), tuners::Json(w.kernel_h),
      tuners::Json(w.kernel_w), tuners::Json(w.stride_h), tuners::Json(w.stride_w),
      tuners::Json(w.pad_h), tuners::Json(w.pad_w), tuners::Json(w.dilation_h),
      tuners::Json(w.dilation_w)});
  if (fixed) {
    task.args.as_array().push_back(tuners::Json(fixed->ic_bn));
    task.args.as_array().push_back(tuners::Json(fixed->oc_bn));
  }
  task.target = target.ToString();
  task.space = *std::move(space);
  task.flop = w.flop();
  return task;
}

absl::StatusOr<tuners::Config> DefaultConv2dNCHWcTaskConfig(const tuners::TuningTask& task,
                                                            const Conv2dWorkload& w,
                                                            const targets::Target& target) {
  const Conv2dNCHWcConfig d = DefaultConv2dNCHWcConfig(w, target);
  std::vector<int64_t> choices;
  for (const auto& knob : task.space.knobs()) {
    if (knob.size() == 1) {  // fixed from outside (blocks inside a model)
      choices.push_back(0);
      continue;
    }
    const int64_t want = knob.name() == "tile_ic"   ? d.ic_bn
                         : knob.name() == "tile_oc" ? d.oc_bn
                         : knob.name() == "tile_ow" ? d.reg_n
                         : knob.name() == "oc_group" ? d.oc_group
                         : knob.name() == "winograd"   ? d.winograd_tile
                                                       : (d.unroll_kw ? 1 : 0);
    int64_t found = -1;
    for (int64_t k = 0; k < knob.size(); ++k) {
      const tuners::KnobValue& v = knob.value(k);
      const int64_t* i = std::get_if<int64_t>(&v);
      const bool* b = std::get_if<bool>(&v);
      if ((i && *i == want) || (b && *b == (want != 0))) found = k;
    }
    if (found < 0) {
      return absl::InternalError(absl::StrCat("default value ", want, " of knob ", knob.name(),
                                              " is not in the space"));
    }
    choices.push_back(found);
  }
  return task.space.FromChoices(choices);
}

KernelHarness Conv2dNCHWcHarness(const Conv2dWorkload& w) {
  KernelHarness h;
  h.weight_buffer = 1;  // data, weights, [bias], [residual], output
  h.build = [w](const tuners::Config& config) -> absl::StatusOr<LoweredFunc> {
    auto c = Conv2dNCHWcConfigFrom(config);
    if (!c.ok()) return c.status();
    return BuildConv2dNCHWc(w, *c, "candidate");
  };
  h.make_buffers =
      [w](const tuners::Config& config) -> absl::StatusOr<std::vector<std::vector<float>>> {
    auto c = Conv2dNCHWcConfigFrom(config);
    if (!c.ok()) return c.status();
    std::mt19937 rng(17);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    auto random = [&](int64_t n) {
      std::vector<float> v(n);
      for (float& x : v) x = dist(rng);
      return v;
    };
    auto data = random(w.batch * w.in_channels * w.height * w.width);
    auto kernel = random(w.out_channels * w.in_channels * w.kernel_h * w.kernel_w);
    std::vector<std::vector<float>> buffers;
    buffers.push_back(PackNCHWc(data, w.batch, w.in_channels, w.height, w.width, c->ic_bn));
    if (c->winograd_tile != 0) {
      auto u = TransformWinogradWeights(kernel, w.out_channels, w.in_channels, c->winograd_tile,
                                        c->ic_bn, c->oc_bn);
      if (!u.ok()) return u.status();
      buffers.push_back(*std::move(u));
    } else {
      buffers.push_back(PackOIHWio(kernel, w.out_channels, w.in_channels, w.kernel_h,
                                   w.kernel_w, c->ic_bn, c->oc_bn));
    }
    if (w.bias) buffers.push_back(random(w.out_channels));
    if (w.residual) {
      buffers.push_back(PackNCHWc(random(w.batch * w.out_channels * w.out_height() *
                                         w.out_width()),
                                  w.batch, w.out_channels, w.out_height(), w.out_width(),
                                  c->oc_bn));
    }
    buffers.emplace_back(w.batch * w.out_channels * w.out_height() * w.out_width(), 0.0f);
    return buffers;
  };
  h.canonical_output = [w](const tuners::Config& config,
                           const std::vector<float>& out) -> absl::StatusOr<std::vector<float>> {
    auto c = Conv2dNCHWcConfigFrom(config);
    if (!c.ok()) return c.status();
    return UnpackNCHWc(out, w.batch, w.out_channels, w.out_height(), w.out_width(), c->oc_bn);
  };
  return h;
}

}  // namespace kiln::ir::ops

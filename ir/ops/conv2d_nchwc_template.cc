#include "ir/ops/conv2d_nchwc_template.h"


#include "absl/strings/str_cat.h"
#include "ir/ops/conv2d_winograd.h"
#include "ir/ops/layout.h"
#include "ir/tuning/schedule_context.h"
#include "ir/tuning/template_registry.h"

namespace kiln::ir::ops {

tuning::Json Conv2dNCHWcTaskArgs(const Conv2dWorkload& w, const Conv2dBlocks* fixed) {
  tuning::Json::Array args;
  for (int64_t v :
       {w.batch, w.in_channels, w.height, w.width, w.out_channels, w.kernel_h, w.kernel_w,
        w.stride_h, w.stride_w, w.pad_h, w.pad_w, w.dilation_h, w.dilation_w}) {
    args.push_back(tuning::Json(v));
  }
  if (fixed) {
    args.push_back(tuning::Json(fixed->ic_bn));
    args.push_back(tuning::Json(fixed->oc_bn));
  }
  return tuning::Json(std::move(args));
}

absl::StatusOr<Conv2dNCHWcTaskWorkload> Conv2dNCHWcWorkloadOfArgs(const tuning::Json& args) {
  const auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        kConv2dNCHWcTemplate,
        " args must be 13 integers (batch, in_channels, height, width, out_channels, kernel_h, "
        "kernel_w, stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w) and optionally "
        "the fixed ic_bn and oc_bn; got ",
        args.Dump()));
  };
  if (!args.is_array()) return bad();
  const tuning::Json::Array& a = args.as_array();
  if (a.size() != 13 && a.size() != 15) return bad();
  std::vector<int64_t> v;
  for (const tuning::Json& x : a) {
    if (!x.is_int()) return bad();
    v.push_back(x.as_int());
  }
  Conv2dNCHWcTaskWorkload out;
  Conv2dWorkload& w = out.workload;
  w.batch = v[0], w.in_channels = v[1], w.height = v[2], w.width = v[3];
  w.out_channels = v[4], w.kernel_h = v[5], w.kernel_w = v[6], w.stride_h = v[7];
  w.stride_w = v[8], w.pad_h = v[9], w.pad_w = v[10], w.dilation_h = v[11];
  w.dilation_w = v[12];
  if (auto st = ValidateConv2d(w); !st.ok()) return st;
  if (a.size() == 15) out.fixed = Conv2dBlocks{v[13], v[14]};
  return out;
}

absl::StatusOr<tuning::TuningTask> MakeConv2dNCHWcTask(const Conv2dWorkload& w,
                                                       const targets::Target& target,
                                                       const Conv2dBlocks* fixed) {
  auto space = Conv2dNCHWcSpace(w, target, fixed);
  if (!space.ok()) return space.status();
  tuning::TuningTask task;
  task.name = kConv2dNCHWcTemplate;
  task.args = Conv2dNCHWcTaskArgs(w, fixed);
  task.target = target.ToString();
  task.space = *std::move(space);
  task.flop = w.flop();
  return task;
}

absl::StatusOr<tuning::Config> Conv2dNCHWcTaskConfig(const tuning::TuningTask& task,
                                                     const Conv2dNCHWcConfig& config) {
  std::vector<int64_t> choices;
  for (const tuning::Knob& knob : task.space.knobs()) {
    if (knob.size() == 1) {
      choices.push_back(0);
      continue;
    }
    int64_t want;
    if (knob.name() == "tile_ic") {
      want = config.ic_bn;
    } else if (knob.name() == "tile_oc") {
      want = config.oc_bn;
    } else if (knob.name() == "tile_ow") {
      want = config.tile_ow;
    } else if (knob.name() == "oc_group") {
      want = config.oc_group;
    } else if (knob.name() == "winograd") {
      want = config.winograd_tile;
    } else if (knob.name() == "segment") {
      want = config.segment;
    } else if (knob.name() == "unroll_kw") {
      want = config.unroll_kw ? 1 : 0;
    } else {
      return absl::InternalError(absl::StrCat("conv2d_NCHWc has no knob ", knob.name()));
    }
    int64_t found = -1;
    for (int64_t k = 0; k < knob.size(); ++k) {
      const tuning::KnobValue& v = knob.value(k);
      const int64_t* i = std::get_if<int64_t>(&v);
      const bool* b = std::get_if<bool>(&v);
      if ((i && *i == want) || (b && *b == (want != 0))) found = k;
    }
    if (found < 0) {
      return absl::NotFoundError(
          absl::StrCat("value ", want, " of knob ", knob.name(), " is not in the space"));
    }
    choices.push_back(found);
  }
  return task.space.FromChoices(choices);
}

tuning::KernelHarness Conv2dNCHWcHarness(const Conv2dWorkload& w) {
  tuning::KernelHarness h;
  h.weight_buffer = 1;  // data, weights, [bias], [residual], output
  h.build = [w](const tuning::Config& config) -> absl::StatusOr<LoweredFunc> {
    auto c = Conv2dNCHWcConfigFrom(config);
    if (!c.ok()) return c.status();
    return BuildConv2dNCHWc(w, *c, "candidate");
  };
  h.make_buffers =
      [w](const tuning::Config& config) -> absl::StatusOr<std::vector<std::vector<float>>> {
    auto c = Conv2dNCHWcConfigFrom(config);
    if (!c.ok()) return c.status();
    tuning::HarnessValues values(17);
    auto random = [&](int64_t n) { return values.Next(n); };
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
      buffers.push_back(PackOIHWio(kernel, w.out_channels, w.in_channels, w.kernel_h, w.kernel_w,
                                   c->ic_bn, c->oc_bn));
    }
    if (w.bias) buffers.push_back(random(w.out_channels));
    if (w.residual) {
      buffers.push_back(PackNCHWc(random(w.batch * w.out_channels * w.out_height() * w.out_width()),
                                  w.batch, w.out_channels, w.out_height(), w.out_width(),
                                  c->oc_bn));
    }
    buffers.emplace_back(w.batch * w.out_channels * w.out_height() * w.out_width(), 0.0f);
    return buffers;
  };
  h.canonical_output = [w](const tuning::Config& config,
                           const std::vector<float>& out) -> absl::StatusOr<std::vector<float>> {
    auto c = Conv2dNCHWcConfigFrom(config);
    if (!c.ok()) return c.status();
    return UnpackNCHWc(out, w.batch, w.out_channels, w.out_height(), w.out_width(), c->oc_bn);
  };
  return h;
}

absl::StatusOr<Conv2dNCHWcConfig> Conv2dNCHWcScheduleOfNode(
    const std::optional<std::string>& schedule, const Conv2dWorkload& w, const Conv2dBlocks& blocks,
    const targets::Target& target) {
  auto task = MakeConv2dNCHWcTask(w, target, &blocks);
  if (!task.ok()) return task.status();
  auto config = schedule ? tuning::ScheduleFromAttr(*task, *schedule)
                         : Conv2dNCHWcTaskConfig(*task, DefaultConv2dNCHWcConfig(w, target, &blocks));
  if (!config.ok()) return config.status();
  return Conv2dNCHWcConfigFrom(*config);
}

namespace {

tuning::TunableTemplate Conv2dNCHWcTemplate() {
  tuning::TunableTemplate t;
  t.make_task = [](const tuning::Json& args,
                   const targets::Target& target) -> absl::StatusOr<tuning::TuningTask> {
    auto w = Conv2dNCHWcWorkloadOfArgs(args);
    if (!w.ok()) return w.status();
    return MakeConv2dNCHWcTask(w->workload, target, w->fixed ? &*w->fixed : nullptr);
  };
  t.default_config = [](const tuning::TuningTask& task,
                        const targets::Target& target) -> absl::StatusOr<tuning::Config> {
    auto w = Conv2dNCHWcWorkloadOfArgs(task.args);
    if (!w.ok()) return w.status();
    auto config = Conv2dNCHWcTaskConfig(
        task, DefaultConv2dNCHWcConfig(w->workload, target, w->fixed ? &*w->fixed : nullptr));
    if (!config.ok()) {
      return absl::InternalError(absl::StrCat("the default schedule of ", task.args.Dump(), ": ",
                                              config.status().message()));
    }
    return config;
  };
  t.harness = [](const tuning::TuningTask& task) -> absl::StatusOr<tuning::KernelHarness> {
    auto w = Conv2dNCHWcWorkloadOfArgs(task.args);
    if (!w.ok()) return w.status();
    return Conv2dNCHWcHarness(w->workload);
  };
  t.describe = [](const tuning::TuningTask& task) {
    auto w = Conv2dNCHWcWorkloadOfArgs(task.args);
    return w.ok() ? w->workload.ToString() : task.args.Dump();
  };
  return t;
}

}  // namespace

KILN_REGISTER(tuning::TemplateRegistry(), kConv2dNCHWcTemplate,
              "conv2d in NCHW[x]c: direct (register-blocked) or Winograd F(2x2)/F(4x4)",
              Conv2dNCHWcTemplate());

}  // namespace kiln::ir::ops

#include "ir/ops/conv2d_depthwise_nchwc_template.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ir/ops/layout.h"
#include "ir/tuning/schedule_context.h"
#include "ir/tuning/template_registry.h"

namespace kiln::ir::ops {
namespace {

struct DepthwiseTaskWorkload {
  Conv2dWorkload workload;
  int64_t block = 1;
};

absl::StatusOr<DepthwiseTaskWorkload> DepthwiseWorkloadOfArgs(const tuning::Json& args) {
  const auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        kDepthwiseTemplate,
        " args must be 13 integers (batch, channels, height, width, kernel_h, kernel_w, "
        "stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w, block); got ",
        args.Dump()));
  };
  if (!args.is_array() || args.as_array().size() != 13) return bad();
  std::vector<int64_t> v;
  for (const tuning::Json& x : args.as_array()) {
    if (!x.is_int()) return bad();
    v.push_back(x.as_int());
  }
  DepthwiseTaskWorkload out;
  Conv2dWorkload& w = out.workload;
  w.batch = v[0], w.in_channels = w.out_channels = v[1], w.height = v[2], w.width = v[3];
  w.kernel_h = v[4], w.kernel_w = v[5], w.stride_h = v[6], w.stride_w = v[7];
  w.pad_h = v[8], w.pad_w = v[9], w.dilation_h = v[10], w.dilation_w = v[11];
  out.block = v[12];
  if (auto st = ValidateConv2d(w); !st.ok()) return st;
  if (out.block < 1 || w.in_channels % out.block != 0) return bad();
  return out;
}

absl::StatusOr<tuning::TuningTask> MakeDepthwiseTask(const DepthwiseTaskWorkload& t,
                                                     const targets::Target& target) {
  const Conv2dWorkload& w = t.workload;
  // Row tiles up to one accumulator per register; the default is one.
  std::vector<int64_t> tiles;
  for (int64_t r = 1; r <= std::min<int64_t>(w.out_width(), target.vector_registers); ++r) {
    tiles.push_back(r);
  }
  const int64_t d = DefaultDepthwiseConfig(w, t.block, target).tile_ow;
  if (std::find(tiles.begin(), tiles.end(), d) == tiles.end()) tiles.push_back(d);
  tuning::TuningTask task;
  task.name = kDepthwiseTemplate;
  task.args = DepthwiseTaskArgs(w, t.block);
  task.target = target.ToString();
  task.flop = 2.0 * w.batch * w.out_channels * w.out_height() * w.out_width() * w.kernel_h *
              w.kernel_w;
  if (auto st = task.space.DefineIntChoice("tile_ow", tiles); !st.ok()) return st;
  return task;
}

absl::StatusOr<tuning::Config> DepthwiseTaskConfig(const tuning::TuningTask& task,
                                                   const DepthwiseConfig& config) {
  const tuning::Knob& knob = task.space.knobs()[0];
  for (int64_t k = 0; k < knob.size(); ++k) {
    if (std::get<int64_t>(knob.value(k)) == config.tile_ow) return task.space.FromChoices({k});
  }
  return absl::NotFoundError(absl::StrCat("tile_ow ", config.tile_ow, " is not in the space"));
}

tuning::KernelHarness DepthwiseHarness(const DepthwiseTaskWorkload& t) {
  const Conv2dWorkload w = t.workload;
  const int64_t block = t.block;
  tuning::KernelHarness h;
  h.weight_buffer = 1;  // data, weight, output
  h.build = [w, block](const tuning::Config& config) -> absl::StatusOr<LoweredFunc> {
    auto c = DepthwiseConfigFrom(config);
    if (!c.ok()) return c.status();
    return BuildDepthwiseConv2dNCHWc(w, block, *c, "candidate");
  };
  h.make_buffers = [w, block](const tuning::Config&)
      -> absl::StatusOr<std::vector<std::vector<float>>> {
    tuning::HarnessValues values(29);
    auto random = [&](int64_t n) { return values.Next(n); };
    const auto weight = random(w.in_channels * w.kernel_h * w.kernel_w);
    return std::vector<std::vector<float>>{
        PackNCHWc(random(w.batch * w.in_channels * w.height * w.width), w.batch, w.in_channels,
                  w.height, w.width, block),
        PackDepthwiseWeight(weight.data(), w.in_channels, w.kernel_h, w.kernel_w, block),
        std::vector<float>(w.batch * w.out_channels * w.out_height() * w.out_width(), 0.0f)};
  };
  // Every config writes the same blocked layout.
  h.canonical_output = [](const tuning::Config&, const std::vector<float>& out)
      -> absl::StatusOr<std::vector<float>> { return out; };
  return h;
}

tuning::TunableTemplate DepthwiseTemplate() {
  tuning::TunableTemplate t;
  t.make_task = [](const tuning::Json& args,
                   const targets::Target& target) -> absl::StatusOr<tuning::TuningTask> {
    auto w = DepthwiseWorkloadOfArgs(args);
    if (!w.ok()) return w.status();
    return MakeDepthwiseTask(*w, target);
  };
  t.default_config = [](const tuning::TuningTask& task,
                        const targets::Target& target) -> absl::StatusOr<tuning::Config> {
    auto w = DepthwiseWorkloadOfArgs(task.args);
    if (!w.ok()) return w.status();
    return DepthwiseTaskConfig(task, DefaultDepthwiseConfig(w->workload, w->block, target));
  };
  t.harness = [](const tuning::TuningTask& task) -> absl::StatusOr<tuning::KernelHarness> {
    auto w = DepthwiseWorkloadOfArgs(task.args);
    if (!w.ok()) return w.status();
    return DepthwiseHarness(*w);
  };
  t.describe = [](const tuning::TuningTask& task) {
    auto w = DepthwiseWorkloadOfArgs(task.args);
    return w.ok() ? absl::StrCat("depthwise ", w->workload.ToString()) : task.args.Dump();
  };
  return t;
}

}  // namespace

tuning::Json DepthwiseTaskArgs(const Conv2dWorkload& w, int64_t block) {
  tuning::Json::Array args;
  for (int64_t v : {w.batch, w.in_channels, w.height, w.width, w.kernel_h, w.kernel_w, w.stride_h,
                    w.stride_w, w.pad_h, w.pad_w, w.dilation_h, w.dilation_w, block}) {
    args.push_back(tuning::Json(v));
  }
  return tuning::Json(std::move(args));
}

absl::StatusOr<DepthwiseConfig> DepthwiseConfigFrom(const tuning::Config& config) {
  auto tile = config.Int("tile_ow");
  if (!tile.ok()) return tile.status();
  return DepthwiseConfig{*tile};
}

absl::StatusOr<DepthwiseConfig> DepthwiseScheduleOfNode(const std::optional<std::string>& schedule,
                                                        const Conv2dWorkload& w, int64_t block,
                                                        const targets::Target& target) {
  if (!schedule) return DefaultDepthwiseConfig(w, block, target);
  auto task = MakeDepthwiseTask({w, block}, target);
  if (!task.ok()) return task.status();
  auto config = tuning::ScheduleFromAttr(*task, *schedule);
  if (!config.ok()) return config.status();
  return DepthwiseConfigFrom(*config);
}

KILN_REGISTER(tuning::TemplateRegistry(), kDepthwiseTemplate,
              "depthwise conv2d in NCHW[x]c: the row tile of accumulators",
              DepthwiseTemplate());

}  // namespace kiln::ir::ops

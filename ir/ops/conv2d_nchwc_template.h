// conv2d_NCHWc as a tunable template: its workload as task args, its config
// space, its analytical default as a point of that space, the harness that
// builds and feeds its candidates, and the decoding of the config a graph
// node carries. Registered in TemplateRegistry() under kConv2dNCHWcTemplate.
#ifndef KILN_IR_OPS_CONV2D_NCHWC_TEMPLATE_H_
#define KILN_IR_OPS_CONV2D_NCHWC_TEMPLATE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "ir/ops/conv2d_nchwc.h"
#include "ir/tuning/kernel_harness.h"
#include "ir/tuning/task.h"
#include "targets/target.h"

namespace kiln::ir::ops {

inline constexpr char kConv2dNCHWcTemplate[] = "conv2d_NCHWc.x86";

// The task args of a bare workload (no bias, activation or residual). With
// `fixed` blocks (a conv inside a model) they end with the blocks, so its
// records never mix with those of the free-block task.
tuning::Json Conv2dNCHWcTaskArgs(const Conv2dWorkload& w, const Conv2dBlocks* fixed = nullptr);

// The args read back: the workload, and the blocks when they are fixed.
struct Conv2dNCHWcTaskWorkload {
  Conv2dWorkload workload;
  std::optional<Conv2dBlocks> fixed;
};
absl::StatusOr<Conv2dNCHWcTaskWorkload> Conv2dNCHWcWorkloadOfArgs(const tuning::Json& args);

absl::StatusOr<tuning::TuningTask> MakeConv2dNCHWcTask(const Conv2dWorkload& w,
                                                       const targets::Target& target,
                                                       const Conv2dBlocks* fixed = nullptr);

// The point of `task`'s space with the knob values of `config`; knobs with a
// single candidate (blocks fixed by a model) take it. NotFound when a value
// is not in the space.
absl::StatusOr<tuning::Config> Conv2dNCHWcTaskConfig(const tuning::TuningTask& task,
                                                     const Conv2dNCHWcConfig& config);

tuning::KernelHarness Conv2dNCHWcHarness(const Conv2dWorkload& w);

// The schedule of a blocked conv node in a model, whose data and weights
// arrive in `blocks`: its stored schedule (tuning::kScheduleAttr) decoded in
// the task of `w` with those blocks, or that task's default when it has none.
absl::StatusOr<Conv2dNCHWcConfig> Conv2dNCHWcScheduleOfNode(
    const std::optional<std::string>& schedule, const Conv2dWorkload& w, const Conv2dBlocks& blocks,
    const targets::Target& target);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_CONV2D_NCHWC_TEMPLATE_H_

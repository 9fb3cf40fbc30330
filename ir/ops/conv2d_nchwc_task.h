// conv2d_NCHWc as a tuning task: its workload key, config space, flop count,
// and the harness that builds and feeds its candidates.
#ifndef KILN_IR_OPS_CONV2D_NCHWC_TASK_H_
#define KILN_IR_OPS_CONV2D_NCHWC_TASK_H_

#include "absl/status/statusor.h"
#include "ir/ops/conv2d_nchwc.h"
#include "ir/ops/kernel_harness.h"
#include "targets/target.h"
#include "tuners/task.h"

namespace kiln::ir::ops {

inline constexpr char kConv2dNCHWcTaskName[] = "conv2d_NCHWc.x86";

// With `fixed` blocks (a conv inside a model) the task's arguments end with
// them, so its records never mix with those of the free-block task.
absl::StatusOr<tuners::TuningTask> MakeConv2dNCHWcTask(const Conv2dWorkload& w,
                                                       const targets::Target& target,
                                                       const Conv2dBlocks* fixed = nullptr);

// The config of `task`'s space closest to the analytical default.
absl::StatusOr<tuners::Config> DefaultConv2dNCHWcTaskConfig(const tuners::TuningTask& task,
                                                            const Conv2dWorkload& w,
                                                            const targets::Target& target);

KernelHarness Conv2dNCHWcHarness(const Conv2dWorkload& w);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_CONV2D_NCHWC_TASK_H_

// dense as a tunable template ("dense_pack.x86", as AutoTVM's x86 dense):
// the bare workload [M, K, N] as task args, a space of output-feature blocks
// (the packed weight's vector) and row tiles, the analytical default, the
// measuring harness, and the decoding of the config a dense node carries.
#ifndef KILN_IR_OPS_DENSE_TEMPLATE_H_
#define KILN_IR_OPS_DENSE_TEMPLATE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "ir/ops/dense.h"
#include "ir/tuning/kernel_harness.h"
#include "ir/tuning/task.h"
#include "targets/target.h"

namespace kiln::ir::ops {

inline constexpr char kDenseTemplate[] = "dense_pack.x86";

tuning::Json DenseTaskArgs(const DenseWorkload& w);
absl::StatusOr<DenseWorkload> DenseWorkloadOfArgs(const tuning::Json& args);

absl::StatusOr<tuning::TuningTask> MakeDenseTask(const DenseWorkload& w,
                                                 const targets::Target& target);
absl::StatusOr<DenseConfig> DenseConfigFrom(const tuning::Config& config);
// The point of `task`'s space with the values of `config`.
absl::StatusOr<tuning::Config> DenseTaskConfig(const tuning::TuningTask& task,
                                               const DenseConfig& config);

tuning::KernelHarness DenseHarness(const DenseWorkload& w, const targets::Target& target);

// A dense node's stored schedule (tuning::kScheduleAttr) decoded in the task
// of `w`, or that task's default when it has none.
absl::StatusOr<DenseConfig> DenseScheduleOfNode(const std::optional<std::string>& schedule,
                                                const DenseWorkload& w,
                                                const targets::Target& target);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_DENSE_TEMPLATE_H_

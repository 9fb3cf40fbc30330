// numpy matmul as a tunable template ("batch_matmul.x86", as AutoTVM's x86
// batch_matmul): the products whose B is computed at run time (attention's
// Q x K^T and P x V), which stay "matmul" nodes instead of becoming dense.
// Task args are the workload, [[batch...], [a_batch...], [b_batch...], M, K,
// N, element type]; the space is BuildMatmul's register tile (rows x vectors
// of columns) and which operand the tasks walk outermost; the analytical
// default is DefaultMatmulConfig. Also the measuring harness and the
// decoding of the config a matmul node carries.
#ifndef KILN_IR_OPS_BATCH_MATMUL_TEMPLATE_H_
#define KILN_IR_OPS_BATCH_MATMUL_TEMPLATE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "ir/ops/dense.h"
#include "ir/tuning/kernel_harness.h"
#include "ir/tuning/task.h"
#include "targets/target.h"

namespace kiln::ir::ops {

inline constexpr char kBatchMatmulTemplate[] = "batch_matmul.x86";

// The args of a numpy matmul's workload (no transposes, no C, alpha 1, as
// NumpyMatmulWorkload makes it) and back. The reader takes untrusted
// records: anything but such a workload of float32 or float64 operands, with
// batch extents that broadcast and operands of at most 2^40 elements, is
// InvalidArgument.
tuning::Json BatchMatmulTaskArgs(const MatmulWorkload& w);
absl::StatusOr<MatmulWorkload> BatchMatmulWorkloadOfArgs(const tuning::Json& args);

absl::StatusOr<tuning::TuningTask> MakeBatchMatmulTask(const MatmulWorkload& w,
                                                       const targets::Target& target);
absl::StatusOr<MatmulConfig> MatmulConfigFrom(const tuning::Config& config);
// The point of `task`'s space with the values of `config`.
absl::StatusOr<tuning::Config> BatchMatmulTaskConfig(const tuning::TuningTask& task,
                                                     const MatmulConfig& config);

// Buffers a, b, out (the output is the same layout for every config).
// Unimplemented for float64: a harness's buffers are float32.
absl::StatusOr<tuning::KernelHarness> BatchMatmulHarness(const MatmulWorkload& w,
                                                         const targets::Target& target);

// A matmul node's stored schedule (tuning::kScheduleAttr) decoded in the
// task of `w`, or DefaultMatmulConfig when it has none.
absl::StatusOr<MatmulConfig> BatchMatmulScheduleOfNode(const std::optional<std::string>& schedule,
                                                       const MatmulWorkload& w,
                                                       const targets::Target& target);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_BATCH_MATMUL_TEMPLATE_H_

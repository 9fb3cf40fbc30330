// Softmax and reductions over the innermost axis of a [rows, cols] view: the
// caller flattens leading axes into rows (ONNX Softmax with axis = rank - 1,
// ReduceMean/Sum/Max over trailing axes).
#ifndef KILN_IR_OPS_SOFTMAX_H_
#define KILN_IR_OPS_SOFTMAX_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "ir/stmt.h"
#include "targets/target.h"

namespace kiln::ir::ops {

// out = exp(x - max) / sum(exp(x - max)) per row, numerically stable.
// Buffers: in [rows, cols], out [rows, cols].
absl::StatusOr<LoweredFunc> BuildSoftmax(int64_t rows, int64_t cols,
                                         const targets::Target& target,
                                         const std::string& name);

enum class RowReduction { kSum, kMean, kMax };

// Buffers: in [rows, cols], out [rows].
absl::StatusOr<LoweredFunc> BuildRowReduction(RowReduction kind, int64_t rows, int64_t cols,
                                              const targets::Target& target,
                                              const std::string& name);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_SOFTMAX_H_

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

enum class SoftmaxKind {
  kSoftmax,     // exp(x - max) / sum(exp(x - max))
  kLogSoftmax,  // x - max - log(sum(exp(x - max)))
  kHardmax,     // 1 at the first maximum, 0 elsewhere
};

// Over the middle axis of an [outer, len, inner] view of the input (any axis
// of any rank; inner = 1 for the last axis or for the legacy flattened
// axes). Each task normalizes whole rows: with inner = 1 a row's reductions
// run in vector lanes and its exponentials are computed once; otherwise
// vectors of the inner axis are reduced side by side.
// Buffers: in, out, both [outer, len, inner].
absl::StatusOr<LoweredFunc> BuildSoftmax(SoftmaxKind kind, int64_t outer, int64_t len,
                                         int64_t inner, const targets::Target& target,
                                         const std::string& name);

enum class RowReduction { kSum, kMean, kMax };

// Buffers: in [rows, cols], out [rows].
absl::StatusOr<LoweredFunc> BuildRowReduction(RowReduction kind, int64_t rows, int64_t cols,
                                              const targets::Target& target,
                                              const std::string& name);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_SOFTMAX_H_

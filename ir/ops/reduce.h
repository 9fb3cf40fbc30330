// Reductions (sum, mean, max, min, product, norms, log-sums) over any set of
// axes, e.g. global average pooling as a mean over H and W of NCHW or
// NCHW[x]c tensors.
#ifndef KILN_IR_OPS_REDUCE_H_
#define KILN_IR_OPS_REDUCE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/stmt.h"

namespace kiln::ir::ops {

enum class ReduceKind {
  kSum,
  kMean,
  kMax,
  kMin,
  kProd,
  kL1,         // sum of |x|
  kL2,         // sqrt of the sum of x^2
  kSumSquare,  // sum of x^2
  kLogSum,     // log of the sum
  kLogSumExp,  // log of the sum of exp(x), computed as m + log(sum exp(x - m)), m the max
};

// `reduced[d]` marks the axes reduced; `keepdims` keeps them with extent 1.
// Buffers: in, out.
absl::StatusOr<LoweredFunc> BuildReduce(const std::vector<int64_t>& in_shape,
                                        const std::vector<bool>& reduced, bool keepdims,
                                        ReduceKind kind, const std::string& name);

// Running sums of `shape` along `axis` (non-negative): out[.., j, ..] sums
// in[.., r, ..] over r <= j (r < j when `exclusive`; r >= j, r > j when
// `reverse`). Buffers: in, out.
absl::StatusOr<LoweredFunc> BuildCumSum(const std::vector<int64_t>& shape, int64_t axis,
                                        bool exclusive, bool reverse, const std::string& name);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_REDUCE_H_

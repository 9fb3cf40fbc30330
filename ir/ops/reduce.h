// Reductions (sum, mean, max, min, product, norms, log-sums) over any set of
// axes, e.g. global average pooling as a mean over H and W of NCHW or
// NCHW[x]c tensors.
#ifndef KILN_IR_OPS_REDUCE_H_
#define KILN_IR_OPS_REDUCE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/data_type.h"
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
// Buffers: in, out, both of type `elem`: float32 or float64, or for the
// kinds ReduceKindTakesIntegers accepts, an integer type (whose sums and
// products wrap).
absl::StatusOr<LoweredFunc> BuildReduce(const std::vector<int64_t>& in_shape,
                                        const std::vector<bool>& reduced, bool keepdims,
                                        ReduceKind kind, const std::string& name,
                                        DataType elem = DataType::Float32());

// sum, max, min, prod, l1 and sum_square: exact on integers.
bool ReduceKindTakesIntegers(ReduceKind kind);

// The int64 index of the largest (is_max) or smallest element along `axis`
// (non-negative), the first of equal ones or the last (`select_last`), as
// the reference finds it, for float32, float64 or integer `elem`. Where a
// float run holds NaN the kernel skips it (the reference keeps a NaN that
// comes first). Buffers: in, out.
absl::StatusOr<LoweredFunc> BuildArgReduce(const std::vector<int64_t>& in_shape, int64_t axis,
                                           bool keepdims, bool is_max, bool select_last,
                                           const std::string& name, DataType elem);

// Running sums of `shape` along `axis` (non-negative): out[.., j, ..] sums
// in[.., r, ..] over r <= j (r < j when `exclusive`; r >= j, r > j when
// `reverse`). Buffers: in, out.
absl::StatusOr<LoweredFunc> BuildCumSum(const std::vector<int64_t>& shape, int64_t axis,
                                        bool exclusive, bool reverse, const std::string& name,
                                        DataType elem = DataType::Float32());

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_REDUCE_H_

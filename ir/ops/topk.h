// ONNX TopK: the k largest (or smallest) elements along an axis, best first,
// and their positions along it (int64). Equal elements keep the order of
// their positions (ONNX breaks ties by the lower index). A NaN ranks below
// every number both for the largest and for the smallest, as ONNX's
// reference sorts it (last), NaNs among themselves by position. The output
// is always sorted (ONNX's sorted = 0 allows any order).
#ifndef KILN_IR_OPS_TOPK_H_
#define KILN_IR_OPS_TOPK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/data_type.h"
#include "ir/stmt.h"

namespace kiln::ir::ops {

// `axis` non-negative, 1 <= k <= shape[axis]; elements of any type (bool as
// false < true, half floats compared in float32). Every row (the positions
// of the other axes) runs in parallel, each an insertion into its k best so
// far: O(n k) per row of n, O(n) when few elements enter the top k.
// Buffers: in, values, indices.
absl::StatusOr<LoweredFunc> BuildTopK(const std::vector<int64_t>& shape, int64_t axis, int64_t k,
                                      bool largest, const std::string& name, DataType elem);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_TOPK_H_

// Building blocks of the kernels written as loop nests by hand (scatters,
// topk): their argument buffers and the row-major offsets they index with.
#ifndef KILN_IR_OPS_LOOP_NEST_UTIL_H_
#define KILN_IR_OPS_LOOP_NEST_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ir/data_type.h"
#include "ir/expr.h"

namespace kiln::ir::ops {

// A kernel argument holding a tensor of `shape` (0-D: one element).
Buffer ArgumentBuffer(const std::string& name, DataType type, const std::vector<int64_t>& shape);

// The product of shape[begin, end): 1 when empty.
int64_t ShapeProduct(const std::vector<int64_t>& shape, size_t begin, size_t end);

// Element strides of a row-major tensor of `shape`.
std::vector<int64_t> RowMajorStrides(const std::vector<int64_t>& shape);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_LOOP_NEST_UTIL_H_

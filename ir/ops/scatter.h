// ONNX ScatterElements and ScatterND: the output is a copy of the data in
// which each update, in the order of the indices, replaces the element it
// lands on or combines with it (add, mul, max, min). Duplicate indices
// combine in that order, as ONNX's reference does, so the updates run
// serially after the copy.
//
// Indices may be of any integer type and negative (counted from the end of
// their axis). One still outside its axis, which the reference refuses,
// skips its update: the kernel cannot fail and never writes outside the
// output.
//
// Elements may be of any type: the half floats combine in float32 and bool
// as 0/1 (add and max are or, mul and min are and), each result stored back
// as the reference stores its double.
#ifndef KILN_IR_OPS_SCATTER_H_
#define KILN_IR_OPS_SCATTER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/data_type.h"
#include "ir/graph/attrs_index.h"
#include "ir/stmt.h"

namespace kiln::ir::ops {

using ScatterReduction = graph::ScatterAttrs::Reduction;

// out[i with axis replaced by indices[i]] (combined with) updates[i] for
// every position i of the indices, whose shape the updates share; `axis`
// non-negative. Buffers: data, indices, updates, out.
absl::StatusOr<LoweredFunc> BuildScatterElements(const std::vector<int64_t>& data_shape,
                                                 const std::vector<int64_t>& indices_shape,
                                                 int64_t axis, ScatterReduction reduction,
                                                 const std::string& name, DataType elem,
                                                 DataType index_type);

// For each tuple t along the indices' last axis (of m indices):
// out[t_0, ..., t_m-1, s..] (combined with) updates[position of t, s..].
// Buffers: data, indices, updates, out.
absl::StatusOr<LoweredFunc> BuildScatterNd(const std::vector<int64_t>& data_shape,
                                           const std::vector<int64_t>& indices_shape,
                                           ScatterReduction reduction, const std::string& name,
                                           DataType elem, DataType index_type);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_SCATTER_H_

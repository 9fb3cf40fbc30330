// Helpers shared by the reference operator implementations.
#ifndef KILN_IR_GRAPH_OPS_COMMON_H_
#define KILN_IR_GRAPH_OPS_COMMON_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/graph/graph.h"

namespace kiln::graph::ops {

int64_t NumElements(const std::vector<int64_t>& shape);
std::vector<int64_t> Strides(const std::vector<int64_t>& shape);

// numpy broadcasting of two shapes.
absl::StatusOr<std::vector<int64_t>> Broadcast(const std::vector<int64_t>& a,
                                               const std::vector<int64_t>& b);
// Flat index into a tensor of `shape` (right-aligned, size-1 dims broadcast)
// for the element at multi-index `index` of the broadcast result.
int64_t BroadcastIndex(const std::vector<int64_t>& index, const std::vector<int64_t>& shape);

// Normalizes a possibly negative axis against `rank`.
absl::StatusOr<int64_t> NormalizeAxis(int64_t axis, int64_t rank);

absl::StatusOr<NDArray> Allocate(const TensorType& type);
// Element i as double / stores a double, for every dtype. Integers store
// the value's integer part modulo 2^bits (NaN as 0), as integer arithmetic
// wraps; float16 and bfloat16 round through float32.
double Load(const NDArray& a, int64_t i);
void Store(NDArray& a, int64_t i, double v);
// An integer or bool element exactly: signed types sign-extended, unsigned
// ones zero-extended (uint64 as its bits), and its store, wrapping to the
// type's width.
int64_t LoadInteger(const NDArray& a, int64_t i);
void StoreInteger(NDArray& a, int64_t i, int64_t bits);

// Stores v as a float-to-integer cast does (and compiled kernels: LLVM's
// fptosi.sat): toward zero, saturating at the type's range, NaN as 0. Other
// types as Store.
void StoreSaturated(NDArray& a, int64_t i, double v);

// Steps a row-major multi-index through `shape`; false after the last one.
bool NextIndex(std::vector<int64_t>& index, const std::vector<int64_t>& shape);

// Calls fn(flat index, multi-index) for every element of `shape`, in order.
template <typename Fn>
void ForEachIndex(const std::vector<int64_t>& shape, Fn fn) {
  std::vector<int64_t> index(shape.size(), 0);
  const int64_t n = NumElements(shape);
  for (int64_t i = 0; i < n; ++i) {
    fn(i, index);
    NextIndex(index, shape);
  }
}

// Unimplemented unless every present input is float32: for the references
// (and kernels) that compute on float32 data only.
absl::Status ExpectFloat32(const std::vector<const TensorType*>& in);

// Requires between `min` and `max` inputs (exactly `min` when they are
// equal), the first `min` of them present.
absl::Status ExpectInputs(const std::vector<const TensorType*>& in, size_t min, size_t max);

}  // namespace kiln::graph::ops

#endif  // KILN_IR_GRAPH_OPS_COMMON_H_

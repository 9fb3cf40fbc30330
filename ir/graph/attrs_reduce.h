// Typed attributes of the reductions (reduce_sum, reduce_mean, reduce_l2, ...,
// argmax, argmin, cumsum): the only code reading their attribute strings.
#ifndef KILN_IR_GRAPH_ATTRS_REDUCE_H_
#define KILN_IR_GRAPH_ATTRS_REDUCE_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/graph/graph.h"

namespace kiln::graph {

struct ReduceAttrs {
  std::vector<int64_t> axes;  // empty: all axes
  bool keepdims = true;

  static absl::StatusOr<ReduceAttrs> Read(const Node& n);
  void Write(Node& n) const;

  // Per axis of a `rank`-D input, whether it is reduced; InvalidArgument for
  // an axis out of range.
  absl::StatusOr<std::vector<bool>> Reduced(size_t rank) const;
  // Whether only spatial axes (2, 3 of NCHW) are reduced and kept: such a
  // reduction runs on NCHW[x]c tensors as it is.
  bool KeepsSpatialAxesOnly() const;
};

// argmax and argmin: the index of the largest (smallest) element along one
// axis, the first one unless select_last_index.
struct ArgReduceAttrs {
  int64_t axis = 0;
  bool keepdims = true;
  bool select_last_index = false;

  static absl::StatusOr<ArgReduceAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

// cumsum: running sums along `axis`; `exclusive` leaves out the element
// itself, `reverse` sums from the end.
struct CumSumAttrs {
  int64_t axis = 0;  // may be negative
  bool exclusive = false;
  bool reverse = false;

  static absl::StatusOr<CumSumAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

}  // namespace kiln::graph

#endif  // KILN_IR_GRAPH_ATTRS_REDUCE_H_

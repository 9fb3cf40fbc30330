// Typed attributes of the operators that select or place elements by
// computed indices: topk, gather_nd, scatter_nd and scatter_elements.
#ifndef KILN_IR_GRAPH_ATTRS_INDEX_H_
#define KILN_IR_GRAPH_ATTRS_INDEX_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "ir/graph/graph.h"

namespace kiln::graph {

// topk: the k largest (or smallest) elements along `axis` and their
// indices, in order (ties: the lower index first; NaN ranks below every
// number either way).
struct TopKAttrs {
  int64_t k = 1;
  int64_t axis = -1;
  bool largest = true;

  static absl::StatusOr<TopKAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

// gather_nd: the leading batch_dims axes of data and indices are shared.
struct GatherNdAttrs {
  int64_t batch_dims = 0;

  static absl::StatusOr<GatherNdAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

// scatter_nd and scatter_elements: how an update combines with the element
// it lands on (kNone replaces it); axis is scatter_elements' only.
struct ScatterAttrs {
  enum class Reduction { kNone, kAdd, kMul, kMax, kMin };
  Reduction reduction = Reduction::kNone;
  int64_t axis = 0;

  static absl::StatusOr<ScatterAttrs> Read(const Node& n);
  void Write(Node& n) const;
  // The element after an update lands on it.
  double Combine(double element, double update) const;
};

}  // namespace kiln::graph

#endif  // KILN_IR_GRAPH_ATTRS_INDEX_H_

// Lowering of scatter_elements and scatter_nd: data of any type, integer
// indices.
#include "absl/strings/str_cat.h"
#include "ir/graph/attrs_index.h"
#include "ir/ops/lowering_registry.h"
#include "ir/ops/scatter.h"

namespace kiln::ir::ops {
namespace {

using Lowered = absl::StatusOr<LoweredFunc>;

Lowered LowerScatterElements(const graph::Node& n, const NodeShapes& s, const targets::Target&,
                             const std::string& name) {
  auto attrs = graph::ScatterAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  const int64_t rank = s.in[0].size();
  if (attrs->axis < -rank || attrs->axis >= rank) {
    return absl::InvalidArgumentError(absl::StrCat(graph::NodeLabel(n), ": axis ", attrs->axis,
                                                   "; expected one in [", -rank, ", ", rank, ")"));
  }
  return BuildScatterElements(s.in[0], s.in[1], attrs->axis < 0 ? attrs->axis + rank : attrs->axis,
                              attrs->reduction, name, s.in_types[0], s.in_types[1]);
}

Lowered LowerScatterNd(const graph::Node& n, const NodeShapes& s, const targets::Target&,
                       const std::string& name) {
  auto attrs = graph::ScatterAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  return BuildScatterNd(s.in[0], s.in[1], attrs->reduction, name, s.in_types[0], s.in_types[1]);
}

// Data and updates of one type (any), integer indices.
bool ScatterTypes(const NodeShapes& s) {
  return s.in_types.size() == 3 && s.in_types[1].is_int() && s.in_types[0] == s.in_types[2];
}

KILN_REGISTER(LoweringRegistry(), "scatter_elements",
              "updates elements at indices along an axis, in order",
              Lowering(LowerScatterElements, ScatterTypes));
KILN_REGISTER(LoweringRegistry(), "scatter_nd", "updates slices at index tuples, in order",
              Lowering(LowerScatterNd, ScatterTypes));

}  // namespace
}  // namespace kiln::ir::ops

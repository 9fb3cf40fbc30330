// Lowering of topk: any element type; the indices output is int64.
#include "absl/strings/str_cat.h"
#include "ir/graph/attrs_index.h"
#include "ir/ops/lowering_registry.h"
#include "ir/ops/topk.h"

namespace kiln::ir::ops {
namespace {

absl::StatusOr<LoweredFunc> LowerTopK(const graph::Node& n, const NodeShapes& s,
                                      const targets::Target&, const std::string& name) {
  auto attrs = graph::TopKAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  const int64_t rank = s.in[0].size();
  if (attrs->axis < -rank || attrs->axis >= rank) {
    return absl::InvalidArgumentError(absl::StrCat(graph::NodeLabel(n), ": axis ", attrs->axis,
                                                   "; expected one in [", -rank, ", ", rank, ")"));
  }
  return BuildTopK(s.in[0], attrs->axis < 0 ? attrs->axis + rank : attrs->axis, attrs->k,
                   attrs->largest, name, s.in_types[0]);
}

KILN_REGISTER(LoweringRegistry(), "topk", "the k best elements along an axis, sorted",
              Lowering(LowerTopK, AnyTypes));

}  // namespace
}  // namespace kiln::ir::ops

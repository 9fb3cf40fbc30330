#include "ir/ops/lowering_registry.h"

#include "absl/strings/str_cat.h"
#include "ir/ops/elementwise_exprs.h"

namespace kiln::ir::ops {

Registry<Lowering>& LoweringRegistry() {
  static auto* registry = new Registry<Lowering>("lowering");
  return *registry;
}

bool Float32Only(const NodeShapes& s) {
  for (const auto* types : {&s.in_types, &s.out_types}) {
    for (DataType t : *types) {
      if (t != DataType::Float32()) return false;
    }
  }
  return true;
}

bool AnyTypes(const NodeShapes&) { return true; }

bool OneFloatType(const NodeShapes& s) {
  if (s.in_types.empty()) return false;
  const DataType first = s.in_types[0];
  if (first != DataType::Float32() && first != DataType::Float64()) return false;
  for (const auto* types : {&s.in_types, &s.out_types}) {
    for (DataType t : *types) {
      if (t != first) return false;
    }
  }
  return true;
}

absl::StatusOr<Lowering> FindLowering(absl::string_view op) {
  auto own = LoweringRegistry().Find(op);
  if (own.ok() || !IsFusableElementwise(op)) return own;
  return LoweringRegistry().Find("fused_elementwise");
}

absl::Status NoKernel(const graph::Node& n, absl::string_view why) {
  return absl::UnimplementedError(
      absl::StrCat(graph::NodeLabel(n), ": no compiled kernel for ", why));
}

}  // namespace kiln::ir::ops

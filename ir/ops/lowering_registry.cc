#include "ir/ops/lowering_registry.h"

#include "absl/strings/str_cat.h"
#include "ir/ops/elementwise_exprs.h"

namespace kiln::ir::ops {

Registry<LowerFn>& LoweringRegistry() {
  static auto* registry = new Registry<LowerFn>("lowering");
  return *registry;
}

absl::StatusOr<LowerFn> FindLowering(absl::string_view op) {
  auto own = LoweringRegistry().Find(op);
  if (own.ok() || !IsFusableElementwise(op)) return own;
  return LoweringRegistry().Find("fused_elementwise");
}

absl::Status NoKernel(const graph::Node& n, absl::string_view why) {
  return absl::UnimplementedError(
      absl::StrCat(graph::NodeLabel(n), ": no compiled kernel for ", why));
}

}  // namespace kiln::ir::ops

#include "ir/ops/elementwise_exprs.h"

#include "absl/strings/str_cat.h"
#include "ir/graph/op_registry.h"

namespace kiln::ir::ops {

Registry<ElementwiseExprFn>& ElementwiseExprRegistry() {
  static auto* registry = new Registry<ElementwiseExprFn>("elementwise expression");
  return *registry;
}

absl::StatusOr<Expr> ElementwiseExpr(const graph::Node& op, const std::vector<Expr>& operands) {
  auto fn = ElementwiseExprRegistry().Find(op.op);
  if (!fn.ok()) return absl::UnimplementedError(absl::StrCat("elementwise operator ", op.op));
  return (*fn)(op, operands);
}

bool IsFusableElementwise(absl::string_view op) {
  const graph::OpPattern p = graph::PatternOf(op);
  return (p == graph::OpPattern::kElementwise || p == graph::OpPattern::kBroadcast) &&
         ElementwiseExprRegistry().Find(op).ok();
}

absl::Status ExpectOperands(const graph::Node& op, const std::vector<Expr>& operands, size_t n) {
  if (operands.size() == n) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(op.op, " takes ", n, " operands, got ", operands.size()));
}

}  // namespace kiln::ir::ops

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

namespace {

absl::Status ExpectOperandsOf(const graph::Node& op, const std::vector<Expr>& operands, size_t n,
                              DataType type) {
  if (operands.size() != n) {
    return absl::InvalidArgumentError(
        absl::StrCat(op.op, " takes ", n, " operands, got ", operands.size()));
  }
  for (const Expr& e : operands) {
    if (e.dtype() != type) {
      return absl::InvalidArgumentError(absl::StrCat(op.op, " takes ", type.ToString(),
                                                     " operands, got ", e.dtype().ToString()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ExpectOperands(const graph::Node& op, const std::vector<Expr>& operands, size_t n) {
  return ExpectOperandsOf(op, operands, n, DataType::Float32());
}

absl::Status ExpectBoolOperands(const graph::Node& op, const std::vector<Expr>& operands,
                                size_t n) {
  return ExpectOperandsOf(op, operands, n, DataType::Bool());
}

}  // namespace kiln::ir::ops

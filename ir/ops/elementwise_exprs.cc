#include "ir/ops/elementwise_exprs.h"

#include <optional>

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

absl::StatusOr<Expr> FusedProgramExpr(const std::vector<graph::FusedStep>& steps,
                                      const std::vector<Expr>& operands) {
  std::vector<Expr> results;
  for (const graph::FusedStep& step : steps) {
    std::vector<Expr> args;
    std::optional<DataType> half;
    for (int64_t o : step.operands) {
      Expr arg = o >= 0 ? operands[o] : results[-o - 1];
      if (arg.dtype().is_half_float()) {
        half = arg.dtype();
        arg = Cast(DataType::Float32(arg.dtype().lanes()), arg);
      }
      args.push_back(arg);
    }
    auto v = ElementwiseExpr(step.node, args);
    if (!v.ok()) return v.status();
    if (half && step.node.op != "cast" && v->dtype().is_float()) {
      *v = Cast(half->with_lanes(v->dtype().lanes()), *v);
    }
    results.push_back(*v);
  }
  if (results.empty()) return absl::InvalidArgumentError("a fused program of no steps");
  return results.back();
}

bool IsFusableElementwise(absl::string_view op) {
  const graph::OpPattern p = graph::PatternOf(op);
  return (p == graph::OpPattern::kElementwise || p == graph::OpPattern::kBroadcast) &&
         ElementwiseExprRegistry().Find(op).ok();
}

namespace {

absl::Status ExpectOperandsOf(const graph::Node& op, const std::vector<Expr>& operands, size_t n,
                              bool (*allowed)(DataType), const char* what) {
  if (operands.size() != n) {
    return absl::InvalidArgumentError(
        absl::StrCat(op.op, " takes ", n, " operands, got ", operands.size()));
  }
  for (const Expr& e : operands) {
    if (!allowed(e.dtype()) || e.dtype() != operands[0].dtype()) {
      std::string got;
      for (const Expr& o : operands) {
        absl::StrAppend(&got, got.empty() ? "" : ", ", o.dtype().ToString());
      }
      return absl::InvalidArgumentError(
          absl::StrCat(op.op, " takes ", what, " operands of one type, got (", got, ")"));
    }
  }
  return absl::OkStatus();
}

bool ComputingFloat(DataType t) { return t.is_float() && !t.is_half_float(); }
bool Numeric(DataType t) { return ComputingFloat(t) || t.is_int(); }

}  // namespace

absl::Status ExpectOperands(const graph::Node& op, const std::vector<Expr>& operands, size_t n) {
  return ExpectOperandsOf(op, operands, n, ComputingFloat, "float32 or float64");
}

absl::Status ExpectNumericOperands(const graph::Node& op, const std::vector<Expr>& operands,
                                   size_t n) {
  return ExpectOperandsOf(op, operands, n, Numeric, "float32, float64 or integer");
}

absl::Status ExpectBoolOperands(const graph::Node& op, const std::vector<Expr>& operands,
                                size_t n) {
  return ExpectOperandsOf(
      op, operands, n, [](DataType t) { return t.is_bool(); }, "bool");
}

}  // namespace kiln::ir::ops

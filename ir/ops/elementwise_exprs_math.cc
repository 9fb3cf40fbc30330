// Expressions of the unary math operators.
#include "ir/ops/elementwise_exprs.h"

namespace kiln::ir::ops {
namespace {

// An operator computed by one intrinsic call on its operand.
ElementwiseExprFn CallOf(Intrinsic f) {
  return [f](const graph::Node& n, const std::vector<Expr>& x) -> absl::StatusOr<Expr> {
    if (auto st = ExpectOperands(n, x, 1); !st.ok()) return st;
    return Call(f, {x[0]});
  };
}

// An operator of one operand computed by `fn`.
ElementwiseExprFn UnaryOf(Expr (*fn)(const Expr&)) {
  return [fn](const graph::Node& n, const std::vector<Expr>& x) -> absl::StatusOr<Expr> {
    if (auto st = ExpectOperands(n, x, 1); !st.ok()) return st;
    return fn(x[0]);
  };
}

KILN_REGISTER(ElementwiseExprRegistry(), "tanh", "tanh(x)", CallOf(Intrinsic::kTanh));
KILN_REGISTER(ElementwiseExprRegistry(), "exp", "exp(x)", CallOf(Intrinsic::kExp));
KILN_REGISTER(ElementwiseExprRegistry(), "log", "log(x)", CallOf(Intrinsic::kLog));
KILN_REGISTER(ElementwiseExprRegistry(), "sqrt", "sqrt(x)", CallOf(Intrinsic::kSqrt));
KILN_REGISTER(ElementwiseExprRegistry(), "abs", "|x|", CallOf(Intrinsic::kAbs));
KILN_REGISTER(ElementwiseExprRegistry(), "floor", "floor(x)", CallOf(Intrinsic::kFloor));
KILN_REGISTER(ElementwiseExprRegistry(), "ceil", "ceil(x)", CallOf(Intrinsic::kCeil));
KILN_REGISTER(ElementwiseExprRegistry(), "erf", "erf(x)", CallOf(Intrinsic::kErf));
KILN_REGISTER(ElementwiseExprRegistry(), "neg", "-x",
              UnaryOf([](const Expr& a) { return -a; }));
KILN_REGISTER(ElementwiseExprRegistry(), "reciprocal", "1 / x",
              UnaryOf([](const Expr& a) { return Expr(1.0f) / a; }));

}  // namespace
}  // namespace kiln::ir::ops

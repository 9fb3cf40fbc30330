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

// An operator of one operand computed by `fn`; `integers`: also on
// integer operands.
ElementwiseExprFn UnaryOf(Expr (*fn)(const Expr&), bool integers = false) {
  return [fn, integers](const graph::Node& n, const std::vector<Expr>& x) -> absl::StatusOr<Expr> {
    auto st = integers ? ExpectNumericOperands(n, x, 1) : ExpectOperands(n, x, 1);
    if (!st.ok()) return st;
    return fn(x[0]);
  };
}

KILN_REGISTER(ElementwiseExprRegistry(), "tanh", "tanh(x)", CallOf(Intrinsic::kTanh));
KILN_REGISTER(ElementwiseExprRegistry(), "exp", "exp(x)", CallOf(Intrinsic::kExp));
KILN_REGISTER(ElementwiseExprRegistry(), "log", "log(x)", CallOf(Intrinsic::kLog));
KILN_REGISTER(ElementwiseExprRegistry(), "sqrt", "sqrt(x)", CallOf(Intrinsic::kSqrt));
KILN_REGISTER(ElementwiseExprRegistry(), "abs", "|x|",
              UnaryOf([](const Expr& a) { return Call(Intrinsic::kAbs, {a}); }, true));
KILN_REGISTER(ElementwiseExprRegistry(), "floor", "floor(x)", CallOf(Intrinsic::kFloor));
KILN_REGISTER(ElementwiseExprRegistry(), "ceil", "ceil(x)", CallOf(Intrinsic::kCeil));
KILN_REGISTER(ElementwiseExprRegistry(), "erf", "erf(x)", CallOf(Intrinsic::kErf));
KILN_REGISTER(ElementwiseExprRegistry(), "round", "round half to even",
              CallOf(Intrinsic::kRound));
KILN_REGISTER(ElementwiseExprRegistry(), "sin", "sin(x)", CallOf(Intrinsic::kSin));
KILN_REGISTER(ElementwiseExprRegistry(), "cos", "cos(x)", CallOf(Intrinsic::kCos));
KILN_REGISTER(ElementwiseExprRegistry(), "tan", "tan(x)", CallOf(Intrinsic::kTan));
KILN_REGISTER(ElementwiseExprRegistry(), "asin", "asin(x)", CallOf(Intrinsic::kAsin));
KILN_REGISTER(ElementwiseExprRegistry(), "acos", "acos(x)", CallOf(Intrinsic::kAcos));
KILN_REGISTER(ElementwiseExprRegistry(), "atan", "atan(x)", CallOf(Intrinsic::kAtan));
KILN_REGISTER(ElementwiseExprRegistry(), "sinh", "sinh(x)", CallOf(Intrinsic::kSinh));
KILN_REGISTER(ElementwiseExprRegistry(), "cosh", "cosh(x)", CallOf(Intrinsic::kCosh));
KILN_REGISTER(ElementwiseExprRegistry(), "asinh", "asinh(x)", CallOf(Intrinsic::kAsinh));
KILN_REGISTER(ElementwiseExprRegistry(), "acosh", "acosh(x)", CallOf(Intrinsic::kAcosh));
KILN_REGISTER(ElementwiseExprRegistry(), "atanh", "atanh(x)", CallOf(Intrinsic::kAtanh));
// NaN and zeros (of either sign) are their own sign.
KILN_REGISTER(ElementwiseExprRegistry(), "sign", "1, -1 or 0 by the sign of x",
              UnaryOf([](const Expr& a) {
                const Expr zero = ConstantOf(a.dtype(), 0);
                return Select(a > zero, ConstantOf(a.dtype(), 1),
                              Select(a < zero, ConstantOf(a.dtype(), -1), a));
              },
                      true));
KILN_REGISTER(ElementwiseExprRegistry(), "neg", "-x",
              UnaryOf([](const Expr& a) { return -a; }, true));
KILN_REGISTER(ElementwiseExprRegistry(), "reciprocal", "1 / x",
              UnaryOf([](const Expr& a) { return Expr(1.0f) / a; }));

}  // namespace
}  // namespace kiln::ir::ops

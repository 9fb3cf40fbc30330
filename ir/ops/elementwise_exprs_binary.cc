// Expressions of the binary arithmetic operators (broadcasting is the
// kernel's business: each sees one element per operand).
#include <algorithm>

#include "ir/graph/attrs_activation.h"
#include "ir/ops/elementwise_exprs.h"

namespace kiln::ir::ops {
namespace {

ElementwiseExprFn BinaryOf(Expr (*fn)(Expr, Expr)) {
  return [fn](const graph::Node& n, const std::vector<Expr>& x) -> absl::StatusOr<Expr> {
    if (auto st = ExpectNumericOperands(n, x, 2); !st.ok()) return st;
    return fn(x[0], x[1]);
  };
}

// max and min take any number of operands (ONNX's Max and Min do).
ElementwiseExprFn FoldOf(Expr (*fn)(Expr, Expr)) {
  return [fn](const graph::Node& n, const std::vector<Expr>& x) -> absl::StatusOr<Expr> {
    if (auto st = ExpectNumericOperands(n, x, std::max<size_t>(x.size(), 1)); !st.ok()) {
      return st;
    }
    Expr v = x[0];
    for (size_t i = 1; i < x.size(); ++i) v = fn(v, x[i]);
    return v;
  };
}

KILN_REGISTER(ElementwiseExprRegistry(), "add", "a + b",
              BinaryOf([](Expr a, Expr b) { return a + b; }));
KILN_REGISTER(ElementwiseExprRegistry(), "sub", "a - b",
              BinaryOf([](Expr a, Expr b) { return a - b; }));
KILN_REGISTER(ElementwiseExprRegistry(), "mul", "a * b",
              BinaryOf([](Expr a, Expr b) { return a * b; }));
KILN_REGISTER(ElementwiseExprRegistry(), "div", "a / b",
              BinaryOf([](Expr a, Expr b) { return a / b; }));
// ONNX's Pow takes an exponent of any numeric type: a float base takes it
// in its own type; an integer base computes in float64 and converts back
// (as the reference does; exact while the power fits in 53 bits).
absl::StatusOr<Expr> Pow(const graph::Node& n, const std::vector<Expr>& x) {
  if (x.size() != 2) return ExpectOperands(n, x, 2);
  for (const Expr& e : x) {
    if (auto st = ExpectNumericOperands(n, {e}, 1); !st.ok()) return st;
  }
  const DataType base = x[0].dtype();
  if (base.is_float()) return Call(Intrinsic::kPow, {x[0], Cast(base, x[1])});
  const DataType f64 = DataType::Float64(base.lanes());
  return Cast(base, Call(Intrinsic::kPow, {Cast(f64, x[0]), Cast(f64, x[1])}));
}

KILN_REGISTER(ElementwiseExprRegistry(), "pow", "a ** b", Pow);
absl::StatusOr<Expr> Mod(const graph::Node& n, const std::vector<Expr>& x) {
  if (auto st = ExpectNumericOperands(n, x, 2); !st.ok()) return st;
  auto a = graph::ModAttrs::Read(n);
  if (!a.ok()) return a.status();
  if (x[0].dtype().is_int()) {
    // Integer division by zero is 0 (see BinaryOp), so both remainders by
    // zero are 0, as in NumPy and the reference.
    if (!a->fmod) return FloorMod(x[0], x[1]);
    return Select(x[1] == Expr(int64_t{0}), ConstantOf(x[0].dtype(), 0),
                  x[0] - (x[0] / x[1]) * x[1]);
  }
  Expr r = Call(Intrinsic::kFmod, {x[0], x[1]});
  if (a->fmod) return r;
  // Python's %: a remainder whose sign differs from the divisor's moves by it.
  Expr zero = ConstantOf(x[0].dtype(), 0);
  return Select(And(r != zero, (r < zero) != (x[1] < zero)), r + x[1], r);
}

absl::StatusOr<Expr> BitShift(const graph::Node& n, const std::vector<Expr>& x) {
  if (auto st = ExpectNumericOperands(n, x, 2); !st.ok()) return st;
  if (!x[0].dtype().is_int()) {
    return absl::InvalidArgumentError(
        absl::StrCat(n.op, " takes integer operands, got ", x[0].dtype().ToString()));
  }
  auto a = graph::BitShiftAttrs::Read(n);
  if (!a.ok()) return a.status();
  return a->left ? ShiftLeft(x[0], x[1]) : ShiftRight(x[0], x[1]);
}

KILN_REGISTER(ElementwiseExprRegistry(), "bit_shift", "a << b or a >> b", BitShift);
KILN_REGISTER(ElementwiseExprRegistry(), "mod", "a mod b, with b's sign or (fmod) a's", Mod);
KILN_REGISTER(ElementwiseExprRegistry(), "max", "max(a, b, ...)", FoldOf(Max));
KILN_REGISTER(ElementwiseExprRegistry(), "min", "min(a, b, ...)", FoldOf(Min));

}  // namespace
}  // namespace kiln::ir::ops

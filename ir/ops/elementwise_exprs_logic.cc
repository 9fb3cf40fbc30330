// Expressions of the comparisons, the logical operators and where: bool
// results or operands, stored one byte per element.
#include <cmath>

#include "absl/strings/str_cat.h"
#include "ir/graph/attrs_activation.h"
#include "ir/ops/elementwise_exprs.h"

namespace kiln::ir::ops {
namespace {

using Result = absl::StatusOr<Expr>;

// A comparison of two numbers (false where either is NaN, as in ONNX); by
// the operands' signedness for integers. `bools`: also of two bools
// (equality).
ElementwiseExprFn CompareOf(Expr (*fn)(Expr, Expr), bool bools = false) {
  return [fn, bools](const graph::Node& n, const std::vector<Expr>& x) -> Result {
    const bool both_bool = x.size() == 2 && x[0].dtype().is_bool() && x[1].dtype().is_bool();
    if (!(bools && both_bool)) {
      if (auto st = ExpectNumericOperands(n, x, 2); !st.ok()) return st;
    }
    return fn(x[0], x[1]);
  };
}

ElementwiseExprFn LogicOf(Expr (*fn)(Expr, Expr)) {
  return [fn](const graph::Node& n, const std::vector<Expr>& x) -> Result {
    if (auto st = ExpectBoolOperands(n, x, 2); !st.ok()) return st;
    return fn(x[0], x[1]);
  };
}

Result LogicalNot(const graph::Node& n, const std::vector<Expr>& x) {
  if (auto st = ExpectBoolOperands(n, x, 1); !st.ok()) return st;
  return Not(x[0]);
}

Result IsNaN(const graph::Node& n, const std::vector<Expr>& x) {
  if (auto st = ExpectOperands(n, x, 1); !st.ok()) return st;
  return x[0] != x[0];
}

Result IsInf(const graph::Node& n, const std::vector<Expr>& x) {
  if (auto st = ExpectOperands(n, x, 1); !st.ok()) return st;
  auto a = graph::IsInfAttrs::Read(n);
  if (!a.ok()) return a.status();
  Expr positive = x[0] == Expr(INFINITY), negative = x[0] == Expr(-INFINITY);
  if (a->positive && a->negative) return Or(positive, negative);
  if (a->positive) return positive;
  if (a->negative) return negative;
  return And(positive, negative);  // reports neither: never true
}

Result Where(const graph::Node& n, const std::vector<Expr>& x) {
  // Any element type: where only picks one of two values.
  if (x.size() != 3 || !x[0].dtype().is_bool() || x[1].dtype() != x[2].dtype()) {
    std::string got;
    for (const Expr& e : x) absl::StrAppend(&got, got.empty() ? "" : ", ", e.dtype().ToString());
    return absl::InvalidArgumentError(absl::StrCat(
        n.op, " takes a bool condition and two operands of one type, got (", got, ")"));
  }
  return Select(x[0], x[1], x[2]);
}

KILN_REGISTER(ElementwiseExprRegistry(), "equal", "a == b", CompareOf(operator==, true));
KILN_REGISTER(ElementwiseExprRegistry(), "less", "a < b", CompareOf(operator<));
KILN_REGISTER(ElementwiseExprRegistry(), "less_equal", "a <= b", CompareOf(operator<=));
KILN_REGISTER(ElementwiseExprRegistry(), "greater", "a > b", CompareOf(operator>));
KILN_REGISTER(ElementwiseExprRegistry(), "greater_equal", "a >= b", CompareOf(operator>=));
KILN_REGISTER(ElementwiseExprRegistry(), "and", "a && b", LogicOf(And));
KILN_REGISTER(ElementwiseExprRegistry(), "or", "a || b", LogicOf(Or));
KILN_REGISTER(ElementwiseExprRegistry(), "xor", "a != b",
              LogicOf([](Expr a, Expr b) { return a != b; }));
KILN_REGISTER(ElementwiseExprRegistry(), "not", "!a", LogicalNot);
KILN_REGISTER(ElementwiseExprRegistry(), "is_nan", "x != x", IsNaN);
KILN_REGISTER(ElementwiseExprRegistry(), "is_inf", "x is an infinity of a detected sign", IsInf);
KILN_REGISTER(ElementwiseExprRegistry(), "where", "a if condition else b", Where);

}  // namespace
}  // namespace kiln::ir::ops

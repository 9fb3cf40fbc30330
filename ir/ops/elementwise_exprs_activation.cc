// Expressions of the activation functions.
#include "ir/graph/attrs_activation.h"
#include "ir/ops/elementwise_exprs.h"

namespace kiln::ir::ops {
namespace {

using Result = absl::StatusOr<Expr>;

Result Relu(const graph::Node& n, const std::vector<Expr>& x) {
  if (auto st = ExpectOperands(n, x, 1); !st.ok()) return st;
  return Max(x[0], Expr(0.0f));
}

Result Sigmoid(const graph::Node& n, const std::vector<Expr>& x) {
  if (auto st = ExpectOperands(n, x, 1); !st.ok()) return st;
  return Call(Intrinsic::kSigmoid, {x[0]});
}

Result LeakyRelu(const graph::Node& n, const std::vector<Expr>& x) {
  if (auto st = ExpectOperands(n, x, 1); !st.ok()) return st;
  auto a = graph::LeakyReluAttrs::Read(n);
  if (!a.ok()) return a.status();
  return Select(x[0] >= Expr(0.0f), x[0], x[0] * static_cast<float>(a->alpha));
}

Result Clip(const graph::Node& n, const std::vector<Expr>& x) {
  if (auto st = ExpectOperands(n, x, 1); !st.ok()) return st;
  auto a = graph::ClipAttrs::Read(n);
  if (!a.ok()) return a.status();
  Expr v = x[0];
  if (a->min) v = Max(v, Expr(static_cast<float>(*a->min)));
  if (a->max) v = Min(v, Expr(static_cast<float>(*a->max)));
  return v;
}

Result HardSigmoid(const graph::Node& n, const std::vector<Expr>& x) {
  if (auto st = ExpectOperands(n, x, 1); !st.ok()) return st;
  auto a = graph::HardSigmoidAttrs::Read(n);
  if (!a.ok()) return a.status();
  return Max(Expr(0.0f), Min(Expr(1.0f), x[0] * static_cast<float>(a->alpha) +
                                             static_cast<float>(a->beta)));
}

Result HardSwish(const graph::Node& n, const std::vector<Expr>& x) {
  if (auto st = ExpectOperands(n, x, 1); !st.ok()) return st;
  return x[0] * Max(Expr(0.0f), Min(Expr(1.0f), x[0] * (1.0f / 6) + 0.5f));
}

Result Prelu(const graph::Node& n, const std::vector<Expr>& x) {
  if (auto st = ExpectOperands(n, x, 2); !st.ok()) return st;
  return Select(x[0] >= Expr(0.0f), x[0], x[0] * x[1]);
}

KILN_REGISTER(ElementwiseExprRegistry(), "relu", "max(x, 0)", Relu);
KILN_REGISTER(ElementwiseExprRegistry(), "sigmoid", "1 / (1 + exp(-x))", Sigmoid);
KILN_REGISTER(ElementwiseExprRegistry(), "leaky_relu", "x if x >= 0 else alpha * x", LeakyRelu);
KILN_REGISTER(ElementwiseExprRegistry(), "clip", "min(max(x, min), max)", Clip);
KILN_REGISTER(ElementwiseExprRegistry(), "hard_sigmoid", "max(0, min(1, alpha * x + beta))",
              HardSigmoid);
KILN_REGISTER(ElementwiseExprRegistry(), "hard_swish", "x * max(0, min(1, x / 6 + 0.5))",
              HardSwish);
KILN_REGISTER(ElementwiseExprRegistry(), "prelu", "a if a >= 0 else slope * a", Prelu);

}  // namespace
}  // namespace kiln::ir::ops

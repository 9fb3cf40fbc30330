// Expressions of the activation functions.
#include "ir/graph/attrs_activation.h"
#include "ir/ops/elementwise_exprs.h"

namespace kiln::ir::ops {
namespace {

using Result = absl::StatusOr<Expr>;

Result Relu(const graph::Node& n, const std::vector<Expr>& x) {
  if (auto st = ExpectNumericOperands(n, x, 1); !st.ok()) return st;
  return Max(x[0], ConstantOf(x[0].dtype(), 0));
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
  if (auto st = ExpectNumericOperands(n, x, 1); !st.ok()) return st;
  auto a = graph::ClipAttrs::Read(n);
  if (!a.ok()) return a.status();
  Expr v = x[0];
  if (a->min) v = Max(v, ConstantOf(v.dtype(), *a->min));
  if (a->max) v = Min(v, ConstantOf(v.dtype(), *a->max));
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

// log(1 + exp(x)) as max(x, 0) + log1p(exp(-|x|)): no overflow for large
// x, and log1p(u) = log(w) * u / (w - 1) with w = 1 + u (Goldberg's trick)
// keeps its relative error small where 1 + u rounds.
Expr SoftplusOf(const Expr& x) {
  Expr u = Call(Intrinsic::kExp, {-Call(Intrinsic::kAbs, {x})});
  Expr w = u + 1.0f;
  Expr log1p = Select(w == Expr(1.0f), u, Call(Intrinsic::kLog, {w}) * (u / (w - 1.0f)));
  return Max(x, Expr(0.0f)) + log1p;
}

Result Softplus(const graph::Node& n, const std::vector<Expr>& x) {
  if (auto st = ExpectOperands(n, x, 1); !st.ok()) return st;
  return SoftplusOf(x[0]);
}

Result Softsign(const graph::Node& n, const std::vector<Expr>& x) {
  if (auto st = ExpectOperands(n, x, 1); !st.ok()) return st;
  return x[0] / (Call(Intrinsic::kAbs, {x[0]}) + 1.0f);
}

Result Mish(const graph::Node& n, const std::vector<Expr>& x) {
  if (auto st = ExpectOperands(n, x, 1); !st.ok()) return st;
  return x[0] * Call(Intrinsic::kTanh, {SoftplusOf(x[0])});
}

// x if x >= 0 else alpha * (exp(x / scale) - 1): elu (scale 1) and celu
// (scale alpha). NaN takes the exponential side and stays NaN.
Expr ExpLinear(const Expr& x, float alpha, float scale) {
  Expr e = Call(Intrinsic::kExp, {scale == 1.0f ? x : x / scale});
  return Select(x >= Expr(0.0f), x, (e - 1.0f) * alpha);
}

Result Elu(const graph::Node& n, const std::vector<Expr>& x) {
  if (auto st = ExpectOperands(n, x, 1); !st.ok()) return st;
  auto a = graph::AlphaAttrs::Read(n);
  if (!a.ok()) return a.status();
  return ExpLinear(x[0], static_cast<float>(a->alpha), 1.0f);
}

Result Celu(const graph::Node& n, const std::vector<Expr>& x) {
  if (auto st = ExpectOperands(n, x, 1); !st.ok()) return st;
  auto a = graph::AlphaAttrs::Read(n);
  if (!a.ok()) return a.status();
  const float alpha = static_cast<float>(a->alpha);
  return ExpLinear(x[0], alpha, alpha);
}

Result Selu(const graph::Node& n, const std::vector<Expr>& x) {
  if (auto st = ExpectOperands(n, x, 1); !st.ok()) return st;
  auto a = graph::SeluAttrs::Read(n);
  if (!a.ok()) return a.status();
  return ExpLinear(x[0], static_cast<float>(a->alpha), 1.0f) * static_cast<float>(a->gamma);
}

Result ThresholdedRelu(const graph::Node& n, const std::vector<Expr>& x) {
  if (auto st = ExpectOperands(n, x, 1); !st.ok()) return st;
  auto a = graph::AlphaAttrs::Read(n);
  if (!a.ok()) return a.status();
  return Select(x[0] > Expr(static_cast<float>(a->alpha)), x[0], Expr(0.0f));
}

Result Gelu(const graph::Node& n, const std::vector<Expr>& x) {
  if (auto st = ExpectOperands(n, x, 1); !st.ok()) return st;
  auto a = graph::GeluAttrs::Read(n);
  if (!a.ok()) return a.status();
  const Expr& v = x[0];
  Expr half = v * 0.5f;
  if (a->tanh) {
    // (1 + tanh(u)) / 2 as sigmoid(2u): 1 + tanh(u) would cancel for
    // negative u and leave tanh's error, times x, in the result.
    const float k = 2 * 0.7978845608028654f;  // 2 sqrt(2 / pi)
    Expr u2 = (v + v * v * v * 0.044715f) * k;
    return v * Call(Intrinsic::kSigmoid, {u2});
  }
  return half * (Call(Intrinsic::kErf, {v * 0.7071067811865476f}) + 1.0f);
}

KILN_REGISTER(ElementwiseExprRegistry(), "relu", "max(x, 0)", Relu);
KILN_REGISTER(ElementwiseExprRegistry(), "softplus", "log(1 + exp(x))", Softplus);
KILN_REGISTER(ElementwiseExprRegistry(), "softsign", "x / (1 + |x|)", Softsign);
KILN_REGISTER(ElementwiseExprRegistry(), "mish", "x * tanh(softplus(x))", Mish);
KILN_REGISTER(ElementwiseExprRegistry(), "elu", "x if x >= 0 else alpha * (exp(x) - 1)", Elu);
KILN_REGISTER(ElementwiseExprRegistry(), "celu", "x if x >= 0 else alpha * (exp(x / alpha) - 1)",
              Celu);
KILN_REGISTER(ElementwiseExprRegistry(), "selu",
              "gamma * (x if x > 0 else alpha * (exp(x) - 1))", Selu);
KILN_REGISTER(ElementwiseExprRegistry(), "thresholded_relu", "x if x > alpha else 0",
              ThresholdedRelu);
KILN_REGISTER(ElementwiseExprRegistry(), "gelu",
              "x * (1 + erf(x / sqrt(2))) / 2, or its tanh approximation", Gelu);
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

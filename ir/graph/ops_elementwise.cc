// Elementwise and broadcasting operators. Arithmetic runs in double and is
// stored in the output's type, so int64 shape arithmetic stays exact.
#include <algorithm>
#include <cmath>
#include <functional>

#include "absl/strings/str_cat.h"
#include "ir/graph/attrs_activation.h"
#include "ir/graph/attrs_data_movement.h"
#include "ir/graph/op_registry.h"
#include "ir/graph/ops_common.h"

namespace kiln::graph::ops {
namespace {

using ScalarFn = std::function<double(double)>;
// The scalar function of a unary operator with attributes, bound to one
// node's attributes (or their error).
using BindFn = std::function<absl::StatusOr<ScalarFn>(const Node&)>;

// `predicate`: the result is bool (IsNaN), not the operand's type.
OpDef Unary(BindFn bind, bool predicate = false) {
  OpDef def;
  def.pattern = OpPattern::kElementwise;
  def.infer = [bind, predicate](const Node& node, const std::vector<const TensorType*>& in)
      -> absl::StatusOr<std::vector<TensorType>> {
    if (auto st = ExpectInputs(in, 1, 1); !st.ok()) return st;
    if (auto fn = bind(node); !fn.ok()) return fn.status();
    return std::vector<TensorType>{{predicate ? DType::kBool : in[0]->dtype, in[0]->shape}};
  };
  def.evaluate = [bind, predicate](const Node& node, const std::vector<NDArray>& in)
      -> absl::StatusOr<std::vector<NDArray>> {
    auto fn = bind(node);
    if (!fn.ok()) return fn.status();
    auto out = Allocate({predicate ? DType::kBool : in[0].dtype(), in[0].shape()});
    if (!out.ok()) return out.status();
    for (int64_t i = 0; i < in[0].NumElements(); ++i) Store(*out, i, (*fn)(Load(in[0], i)));
    return std::vector<NDArray>{*out};
  };
  return def;
}

OpDef Unary(ScalarFn fn, bool predicate = false) {
  return Unary([fn](const Node&) -> absl::StatusOr<ScalarFn> { return fn; }, predicate);
}

using BinaryFn = std::function<double(double, double)>;
using BindBinaryFn = std::function<absl::StatusOr<BinaryFn>(const Node&)>;

// `compare`: the result is bool. `mixed_types`: the operands may differ in
// type (Pow's exponent); the result has the first operand's type.
OpDef Binary(BindBinaryFn bind, bool compare = false, bool mixed_types = false) {
  OpDef def;
  def.pattern = OpPattern::kBroadcast;
  def.infer = [bind, compare, mixed_types](const Node& node,
                                           const std::vector<const TensorType*>& in)
      -> absl::StatusOr<std::vector<TensorType>> {
    if (auto st = ExpectInputs(in, 2, 2); !st.ok()) return st;
    if (auto fn = bind(node); !fn.ok()) return fn.status();
    if (!mixed_types && in[0]->dtype != in[1]->dtype) {
      return absl::InvalidArgumentError(absl::StrCat("operand types differ: ", in[0]->ToString(),
                                                     " and ", in[1]->ToString()));
    }
    auto shape = Broadcast(in[0]->shape, in[1]->shape);
    if (!shape.ok()) return shape.status();
    return std::vector<TensorType>{{compare ? DType::kBool : in[0]->dtype, *shape}};
  };
  def.evaluate = [bind, compare](const Node& node, const std::vector<NDArray>& in)
      -> absl::StatusOr<std::vector<NDArray>> {
    auto fn = bind(node);
    if (!fn.ok()) return fn.status();
    auto shape = Broadcast(in[0].shape(), in[1].shape());
    if (!shape.ok()) return shape.status();
    auto out = Allocate({compare ? DType::kBool : in[0].dtype(), *shape});
    if (!out.ok()) return out.status();
    const bool integer = runtime::IsIntegerDType(in[0].dtype());
    ForEachIndex(*shape, [&](int64_t i, const std::vector<int64_t>& index) {
      double v = (*fn)(Load(in[0], BroadcastIndex(index, in[0].shape())),
                    Load(in[1], BroadcastIndex(index, in[1].shape())));
      // Integer division or remainder by zero is 0 (NumPy's answer; kernels
      // guard their divisions the same way).
      if (integer && !compare) v = std::isfinite(v) ? std::trunc(v) : 0.0;
      Store(*out, i, v);
    });
    return std::vector<NDArray>{*out};
  };
  return def;
}

OpDef Binary(BinaryFn fn, bool compare = false, bool mixed_types = false) {
  return Binary([fn](const Node&) -> absl::StatusOr<BinaryFn> { return fn; }, compare,
                mixed_types);
}

double Sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// log(1 + exp(x)) without overflow for large x or cancellation for small.
double Softplus(double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x))); }

// x if x >= 0 else alpha * (exp(x) - 1): elu, and selu before its scale.
double ExpLinear(double x, double alpha) { return x >= 0 ? x : alpha * std::expm1(x); }

// An operator with attributes `Attrs` whose scalar function `make` builds
// from them.
template <typename Attrs, typename Fn>
OpDef UnaryWith(Fn make, bool predicate = false) {
  return Unary(
      [make](const Node& n) -> absl::StatusOr<ScalarFn> {
        auto a = Attrs::Read(n);
        if (!a.ok()) return a.status();
        return ScalarFn(make(*a));
      },
      predicate);
}

KILN_REGISTER(OpRegistry(), "relu", "max(x, 0)", Unary([](double x) { return std::max(x, 0.0); }));
KILN_REGISTER(OpRegistry(), "sigmoid", "1 / (1 + exp(-x))", Unary(Sigmoid));
KILN_REGISTER(OpRegistry(), "tanh", "tanh(x)", Unary([](double x) { return std::tanh(x); }));
KILN_REGISTER(OpRegistry(), "exp", "exp(x)", Unary([](double x) { return std::exp(x); }));
KILN_REGISTER(OpRegistry(), "log", "log(x)", Unary([](double x) { return std::log(x); }));
KILN_REGISTER(OpRegistry(), "sqrt", "sqrt(x)", Unary([](double x) { return std::sqrt(x); }));
KILN_REGISTER(OpRegistry(), "neg", "-x", Unary([](double x) { return -x; }));
KILN_REGISTER(OpRegistry(), "abs", "|x|", Unary([](double x) { return std::fabs(x); }));
KILN_REGISTER(OpRegistry(), "reciprocal", "1 / x", Unary([](double x) { return 1.0 / x; }));
KILN_REGISTER(OpRegistry(), "floor", "floor(x)", Unary([](double x) { return std::floor(x); }));
KILN_REGISTER(OpRegistry(), "ceil", "ceil(x)", Unary([](double x) { return std::ceil(x); }));
KILN_REGISTER(OpRegistry(), "erf", "erf(x)", Unary([](double x) { return std::erf(x); }));
KILN_REGISTER(OpRegistry(), "leaky_relu", "x if x >= 0 else alpha * x",
              Unary([](const Node& n) -> absl::StatusOr<ScalarFn> {
                auto a = LeakyReluAttrs::Read(n);
                if (!a.ok()) return a.status();
                const double alpha = a->alpha;
                return ScalarFn([alpha](double x) { return x >= 0 ? x : alpha * x; });
              }));
KILN_REGISTER(OpRegistry(), "clip", "min(max(x, min), max)",
              Unary([](const Node& n) -> absl::StatusOr<ScalarFn> {
                auto a = ClipAttrs::Read(n);
                if (!a.ok()) return a.status();
                const double lo = a->min.value_or(-INFINITY), hi = a->max.value_or(INFINITY);
                return ScalarFn([lo, hi](double x) { return std::min(std::max(x, lo), hi); });
              }));
KILN_REGISTER(OpRegistry(), "hard_sigmoid", "max(0, min(1, alpha * x + beta))",
              Unary([](const Node& n) -> absl::StatusOr<ScalarFn> {
                auto a = HardSigmoidAttrs::Read(n);
                if (!a.ok()) return a.status();
                const double alpha = a->alpha, beta = a->beta;
                return ScalarFn([alpha, beta](double x) {
                  return std::max(0.0, std::min(1.0, alpha * x + beta));
                });
              }));
KILN_REGISTER(OpRegistry(), "hard_swish", "x * max(0, min(1, x / 6 + 0.5))",
              Unary([](double x) { return x * std::max(0.0, std::min(1.0, x / 6.0 + 0.5)); }));

KILN_REGISTER(OpRegistry(), "round", "x rounded to the nearest integer, ties to even",
              Unary([](double x) { return std::nearbyint(x); }));
KILN_REGISTER(OpRegistry(), "sign", "1, -1 or 0 by the sign of x",
              Unary([](double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : x; }));
KILN_REGISTER(OpRegistry(), "sin", "sin(x)", Unary([](double x) { return std::sin(x); }));
KILN_REGISTER(OpRegistry(), "cos", "cos(x)", Unary([](double x) { return std::cos(x); }));
KILN_REGISTER(OpRegistry(), "tan", "tan(x)", Unary([](double x) { return std::tan(x); }));
KILN_REGISTER(OpRegistry(), "asin", "asin(x)", Unary([](double x) { return std::asin(x); }));
KILN_REGISTER(OpRegistry(), "acos", "acos(x)", Unary([](double x) { return std::acos(x); }));
KILN_REGISTER(OpRegistry(), "atan", "atan(x)", Unary([](double x) { return std::atan(x); }));
KILN_REGISTER(OpRegistry(), "sinh", "sinh(x)", Unary([](double x) { return std::sinh(x); }));
KILN_REGISTER(OpRegistry(), "cosh", "cosh(x)", Unary([](double x) { return std::cosh(x); }));
KILN_REGISTER(OpRegistry(), "asinh", "asinh(x)", Unary([](double x) { return std::asinh(x); }));
KILN_REGISTER(OpRegistry(), "acosh", "acosh(x)", Unary([](double x) { return std::acosh(x); }));
KILN_REGISTER(OpRegistry(), "atanh", "atanh(x)", Unary([](double x) { return std::atanh(x); }));
KILN_REGISTER(OpRegistry(), "softplus", "log(1 + exp(x))", Unary(Softplus));
KILN_REGISTER(OpRegistry(), "softsign", "x / (1 + |x|)",
              Unary([](double x) { return x / (1.0 + std::fabs(x)); }));
KILN_REGISTER(OpRegistry(), "mish", "x * tanh(softplus(x))",
              Unary([](double x) { return x * std::tanh(Softplus(x)); }));
KILN_REGISTER(OpRegistry(), "elu", "x if x >= 0 else alpha * (exp(x) - 1)",
              UnaryWith<AlphaAttrs>([](const AlphaAttrs& a) {
                return [alpha = a.alpha](double x) { return ExpLinear(x, alpha); };
              }));
KILN_REGISTER(OpRegistry(), "celu", "x if x >= 0 else alpha * (exp(x / alpha) - 1)",
              UnaryWith<AlphaAttrs>([](const AlphaAttrs& a) {
                return [alpha = a.alpha](double x) {
                  return x >= 0 ? x : alpha * std::expm1(x / alpha);
                };
              }));
KILN_REGISTER(OpRegistry(), "selu", "gamma * (x if x > 0 else alpha * (exp(x) - 1))",
              UnaryWith<SeluAttrs>([](const SeluAttrs& a) {
                return [alpha = a.alpha, gamma = a.gamma](double x) {
                  return gamma * ExpLinear(x, alpha);
                };
              }));
KILN_REGISTER(OpRegistry(), "thresholded_relu", "x if x > alpha else 0",
              UnaryWith<AlphaAttrs>([](const AlphaAttrs& a) {
                return [alpha = a.alpha](double x) { return x > alpha ? x : 0.0; };
              }));
KILN_REGISTER(OpRegistry(), "gelu",
              "x * (1 + erf(x / sqrt(2))) / 2, or its tanh approximation",
              UnaryWith<GeluAttrs>([](const GeluAttrs& a) -> ScalarFn {
                if (a.tanh) {
                  return [](double x) {
                    const double k = std::sqrt(2.0 / M_PI);
                    return 0.5 * x * (1.0 + std::tanh(k * (x + 0.044715 * x * x * x)));
                  };
                }
                return [](double x) { return 0.5 * x * (1.0 + std::erf(x * M_SQRT1_2)); };
              }));
KILN_REGISTER(OpRegistry(), "is_nan", "whether x is NaN",
              Unary([](double x) { return std::isnan(x) ? 1.0 : 0.0; }, true));
KILN_REGISTER(OpRegistry(), "is_inf", "whether x is an infinity of a detected sign",
              UnaryWith<IsInfAttrs>(
                  [](const IsInfAttrs& a) {
                    return [a](double x) {
                      return std::isinf(x) && (x > 0 ? a.positive : a.negative) ? 1.0 : 0.0;
                    };
                  },
                  true));
KILN_REGISTER(OpRegistry(), "not", "!x", Unary([](double x) { return x == 0 ? 1.0 : 0.0; }));

KILN_REGISTER(OpRegistry(), "add", "a + b", Binary([](double a, double b) { return a + b; }));
KILN_REGISTER(OpRegistry(), "sub", "a - b", Binary([](double a, double b) { return a - b; }));
KILN_REGISTER(OpRegistry(), "mul", "a * b", Binary([](double a, double b) { return a * b; }));
KILN_REGISTER(OpRegistry(), "div", "a / b", Binary([](double a, double b) { return a / b; }));
KILN_REGISTER(OpRegistry(), "pow", "a ** b",
              Binary([](double a, double b) { return std::pow(a, b); }, false, true));
KILN_REGISTER(OpRegistry(), "max", "max(a, b)",
              Binary([](double a, double b) { return std::max(a, b); }));
KILN_REGISTER(OpRegistry(), "min", "min(a, b)",
              Binary([](double a, double b) { return std::min(a, b); }));
KILN_REGISTER(OpRegistry(), "prelu", "a if a >= 0 else slope * a",
              Binary([](double a, double s) { return a >= 0 ? a : s * a; }));
KILN_REGISTER(OpRegistry(), "mod", "a mod b, with b's sign or (fmod) a's",
              Binary([](const Node& n) -> absl::StatusOr<BinaryFn> {
                auto a = ModAttrs::Read(n);
                if (!a.ok()) return a.status();
                if (a->fmod) return BinaryFn([](double x, double y) { return std::fmod(x, y); });
                return BinaryFn([](double x, double y) {
                  const double r = std::fmod(x, y);
                  return r != 0 && (r < 0) != (y < 0) ? r + y : r;
                });
              }));
KILN_REGISTER(OpRegistry(), "equal", "a == b",
              Binary([](double a, double b) { return a == b ? 1.0 : 0.0; }, true));
KILN_REGISTER(OpRegistry(), "less", "a < b",
              Binary([](double a, double b) { return a < b ? 1.0 : 0.0; }, true));
KILN_REGISTER(OpRegistry(), "less_equal", "a <= b",
              Binary([](double a, double b) { return a <= b ? 1.0 : 0.0; }, true));
KILN_REGISTER(OpRegistry(), "greater", "a > b",
              Binary([](double a, double b) { return a > b ? 1.0 : 0.0; }, true));
KILN_REGISTER(OpRegistry(), "greater_equal", "a >= b",
              Binary([](double a, double b) { return a >= b ? 1.0 : 0.0; }, true));
KILN_REGISTER(OpRegistry(), "and", "a && b",
              Binary([](double a, double b) { return a != 0 && b != 0 ? 1.0 : 0.0; }, true));
KILN_REGISTER(OpRegistry(), "or", "a || b",
              Binary([](double a, double b) { return a != 0 || b != 0 ? 1.0 : 0.0; }, true));
KILN_REGISTER(OpRegistry(), "xor", "a != b for bools",
              Binary([](double a, double b) { return (a != 0) != (b != 0) ? 1.0 : 0.0; }, true));

// where(condition, a, b): a where condition holds, else b; the three
// broadcast together.
OpDef WhereOp() {
  OpDef def;
  def.pattern = OpPattern::kBroadcast;
  def.infer = [](const Node&, const std::vector<const TensorType*>& in)
      -> absl::StatusOr<std::vector<TensorType>> {
    if (auto st = ExpectInputs(in, 3, 3); !st.ok()) return st;
    if (in[0]->dtype != DType::kBool) {
      return absl::InvalidArgumentError(
          absl::StrCat("condition is ", in[0]->ToString(), "; expected bool"));
    }
    if (in[1]->dtype != in[2]->dtype) {
      return absl::InvalidArgumentError(absl::StrCat("operand types differ: ", in[1]->ToString(),
                                                     " and ", in[2]->ToString()));
    }
    auto shape = Broadcast(in[0]->shape, in[1]->shape);
    if (shape.ok()) shape = Broadcast(*shape, in[2]->shape);
    if (!shape.ok()) return shape.status();
    return std::vector<TensorType>{{in[1]->dtype, *shape}};
  };
  def.evaluate = [](const Node&, const std::vector<NDArray>& in)
      -> absl::StatusOr<std::vector<NDArray>> {
    auto shape = Broadcast(in[0].shape(), in[1].shape());
    if (shape.ok()) shape = Broadcast(*shape, in[2].shape());
    if (!shape.ok()) return shape.status();
    auto out = Allocate({in[1].dtype(), *shape});
    if (!out.ok()) return out.status();
    ForEachIndex(*shape, [&](int64_t i, const std::vector<int64_t>& index) {
      const bool c = Load(in[0], BroadcastIndex(index, in[0].shape())) != 0;
      const NDArray& from = c ? in[1] : in[2];
      Store(*out, i, Load(from, BroadcastIndex(index, from.shape())));
    });
    return std::vector<NDArray>{*out};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "where", "a where condition holds, else b", WhereOp());

OpDef CastOp() {
  OpDef def;
  def.pattern = OpPattern::kElementwise;
  def.infer = [](const Node& node, const std::vector<const TensorType*>& in)
      -> absl::StatusOr<std::vector<TensorType>> {
    if (auto st = ExpectInputs(in, 1, 1); !st.ok()) return st;
    auto attrs = CastAttrs::Read(node);
    if (!attrs.ok()) return attrs.status();
    return std::vector<TensorType>{{attrs->to, in[0]->shape}};
  };
  def.evaluate = [](const Node& node, const std::vector<NDArray>& in)
      -> absl::StatusOr<std::vector<NDArray>> {
    auto attrs = CastAttrs::Read(node);
    if (!attrs.ok()) return attrs.status();
    const DType* dtype = &attrs->to;
    auto out = Allocate({*dtype, in[0].shape()});
    if (!out.ok()) return out.status();
    const bool from_float = runtime::IsFloatDType(in[0].dtype());
    const bool exact = !from_float && !runtime::IsFloatDType(*dtype);
    for (int64_t i = 0; i < in[0].NumElements(); ++i) {
      // Integers to integers keep every bit (doubles would round 64-bit
      // values); to bool, != 0.
      if (exact) {
        const int64_t bits = LoadInteger(in[0], i);
        StoreInteger(*out, i, *dtype == DType::kBool ? bits != 0 : bits);
        continue;
      }
      const double v = Load(in[0], i);
      // Floats to integers saturate (as kernels convert).
      if (from_float) {
        StoreSaturated(*out, i, v);
      } else {
        Store(*out, i, v);
      }
    }
    return std::vector<NDArray>{*out};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "cast", "converts to dtype `to`", CastOp());

// bit_shift(a, b): a shifted left or right by b bits, unsigned integers of
// one type broadcast together; by the width or more the result is 0.
// Computed on the integers themselves (doubles would round 64-bit ones).
OpDef BitShiftOp() {
  OpDef def;
  def.pattern = OpPattern::kBroadcast;
  def.infer = [](const Node& n, const std::vector<const TensorType*>& in)
      -> absl::StatusOr<std::vector<TensorType>> {
    if (auto st = ExpectInputs(in, 2, 2); !st.ok()) return st;
    if (auto a = BitShiftAttrs::Read(n); !a.ok()) return a.status();
    if (in[0]->dtype != in[1]->dtype || !runtime::IsUnsignedDType(in[0]->dtype)) {
      return absl::UnimplementedError(absl::StrCat("bit shifts of ", in[0]->ToString(), " by ",
                                                   in[1]->ToString(),
                                                   "; expected one unsigned integer type"));
    }
    auto shape = Broadcast(in[0]->shape, in[1]->shape);
    if (!shape.ok()) return shape.status();
    return std::vector<TensorType>{{in[0]->dtype, *shape}};
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in)
      -> absl::StatusOr<std::vector<NDArray>> {
    auto a = BitShiftAttrs::Read(n);
    if (!a.ok()) return a.status();
    auto shape = Broadcast(in[0].shape(), in[1].shape());
    if (!shape.ok()) return shape.status();
    auto out = Allocate({in[0].dtype(), *shape});
    if (!out.ok()) return out.status();
    const uint64_t bits = 8 * runtime::DTypeBytes(in[0].dtype());
    ForEachIndex(*shape, [&](int64_t i, const std::vector<int64_t>& index) {
      const auto x = static_cast<uint64_t>(LoadInteger(in[0], BroadcastIndex(index, in[0].shape())));
      const auto y = static_cast<uint64_t>(LoadInteger(in[1], BroadcastIndex(index, in[1].shape())));
      const uint64_t r = y >= bits ? 0 : a->left ? x << y : x >> y;
      StoreInteger(*out, i, static_cast<int64_t>(r));
    });
    return std::vector<NDArray>{*out};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "bit_shift", "a shifted left or right by b bits", BitShiftOp());

}  // namespace
}  // namespace kiln::graph::ops

// Elementwise ONNX operators: unary math and activations, Clip, Cast, and
// the binary and variadic arithmetic and comparison ops.
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"

namespace kiln::frontend {
namespace {

Converter Unary(std::string op) {
  return [op](ImportContext& c) -> absl::Status {
    KILN_ASSIGN(in, Inputs(c, 1));
    return c.Emit(op, in, {});
  };
}

KILN_REGISTER_ONNX_CONVERTER(Relu, 1, kLatestOpset, Unary("relu"));
KILN_REGISTER_ONNX_CONVERTER(Sigmoid, 1, kLatestOpset, Unary("sigmoid"));
KILN_REGISTER_ONNX_CONVERTER(Tanh, 1, kLatestOpset, Unary("tanh"));
KILN_REGISTER_ONNX_CONVERTER(Exp, 1, kLatestOpset, Unary("exp"));
KILN_REGISTER_ONNX_CONVERTER(Log, 1, kLatestOpset, Unary("log"));
KILN_REGISTER_ONNX_CONVERTER(Sqrt, 1, kLatestOpset, Unary("sqrt"));
KILN_REGISTER_ONNX_CONVERTER(Neg, 1, kLatestOpset, Unary("neg"));
KILN_REGISTER_ONNX_CONVERTER(Abs, 1, kLatestOpset, Unary("abs"));
KILN_REGISTER_ONNX_CONVERTER(Reciprocal, 1, kLatestOpset, Unary("reciprocal"));
KILN_REGISTER_ONNX_CONVERTER(Floor, 1, kLatestOpset, Unary("floor"));
KILN_REGISTER_ONNX_CONVERTER(Ceil, 1, kLatestOpset, Unary("ceil"));
// ONNX added Erf at opset 9 and HardSwish at 14; kiln has always converted
// them in models that declare an older opset too.
KILN_REGISTER_ONNX_CONVERTER(Erf, 1, kLatestOpset, Unary("erf"));
KILN_REGISTER_ONNX_CONVERTER(HardSwish, 1, kLatestOpset, Unary("hard_swish"));
KILN_REGISTER_ONNX_CONVERTER(Round, 11, kLatestOpset, Unary("round"));
KILN_REGISTER_ONNX_CONVERTER(Sign, 9, kLatestOpset, Unary("sign"));
KILN_REGISTER_ONNX_CONVERTER(Sin, 7, kLatestOpset, Unary("sin"));
KILN_REGISTER_ONNX_CONVERTER(Cos, 7, kLatestOpset, Unary("cos"));
KILN_REGISTER_ONNX_CONVERTER(Tan, 7, kLatestOpset, Unary("tan"));
KILN_REGISTER_ONNX_CONVERTER(Asin, 7, kLatestOpset, Unary("asin"));
KILN_REGISTER_ONNX_CONVERTER(Acos, 7, kLatestOpset, Unary("acos"));
KILN_REGISTER_ONNX_CONVERTER(Atan, 7, kLatestOpset, Unary("atan"));
KILN_REGISTER_ONNX_CONVERTER(Sinh, 9, kLatestOpset, Unary("sinh"));
KILN_REGISTER_ONNX_CONVERTER(Cosh, 9, kLatestOpset, Unary("cosh"));
KILN_REGISTER_ONNX_CONVERTER(Asinh, 9, kLatestOpset, Unary("asinh"));
KILN_REGISTER_ONNX_CONVERTER(Acosh, 9, kLatestOpset, Unary("acosh"));
KILN_REGISTER_ONNX_CONVERTER(Atanh, 9, kLatestOpset, Unary("atanh"));
KILN_REGISTER_ONNX_CONVERTER(Softplus, 1, kLatestOpset, Unary("softplus"));
KILN_REGISTER_ONNX_CONVERTER(Softsign, 1, kLatestOpset, Unary("softsign"));
KILN_REGISTER_ONNX_CONVERTER(Mish, 18, kLatestOpset, Unary("mish"));
KILN_REGISTER_ONNX_CONVERTER(IsNaN, 9, kLatestOpset, Unary("is_nan"));
KILN_REGISTER_ONNX_CONVERTER(Not, 1, kLatestOpset, Unary("not"));

absl::Status IsInf(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 1));
  KILN_ASSIGN(negative, c.AttrInt("detect_negative", 1));
  KILN_ASSIGN(positive, c.AttrInt("detect_positive", 1));
  return c.Emit("is_inf", in, {{"detect_negative", negative}, {"detect_positive", positive}});
}

KILN_REGISTER_ONNX_CONVERTER(IsInf, 10, kLatestOpset, IsInf);

absl::Status Where(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 3));
  return c.Emit("where", in, {});
}

KILN_REGISTER_ONNX_CONVERTER(Where, 9, kLatestOpset, Where);

// An activation whose float attributes pass through under their ONNX names.
Converter WithFloatAttrs(std::string op, std::vector<std::pair<std::string, double>> defaults) {
  return [op, defaults](ImportContext& c) -> absl::Status {
    KILN_ASSIGN(in, Inputs(c, 1));
    absl::flat_hash_map<std::string, graph::AttrValue> attrs;
    for (const auto& [name, def] : defaults) {
      KILN_ASSIGN(v, c.AttrFloat(name, def));
      attrs[name] = v;
    }
    return c.Emit(op, in, attrs);
  };
}

KILN_REGISTER_ONNX_CONVERTER(LeakyRelu, 1, kLatestOpset,
                             WithFloatAttrs("leaky_relu", {{"alpha", 0.01}}));
KILN_REGISTER_ONNX_CONVERTER(HardSigmoid, 1, kLatestOpset,
                             WithFloatAttrs("hard_sigmoid", {{"alpha", 0.2}, {"beta", 0.5}}));
KILN_REGISTER_ONNX_CONVERTER(Elu, 1, kLatestOpset, WithFloatAttrs("elu", {{"alpha", 1.0}}));
KILN_REGISTER_ONNX_CONVERTER(Celu, 12, kLatestOpset, WithFloatAttrs("celu", {{"alpha", 1.0}}));
KILN_REGISTER_ONNX_CONVERTER(ThresholdedRelu, 10, kLatestOpset,
                             WithFloatAttrs("thresholded_relu", {{"alpha", 1.0}}));
KILN_REGISTER_ONNX_CONVERTER(Selu, 1, kLatestOpset,
                             WithFloatAttrs("selu", {{"alpha", 1.67326319217681884765625},
                                                     {"gamma", 1.05070102214813232421875}}));

absl::Status Gelu(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 1));
  KILN_ASSIGN(approximate, c.AttrString("approximate", "none"));
  if (approximate != "none" && approximate != "tanh") {
    return c.Invalid(absl::StrCat("approximate is '", approximate, "'; expected none or tanh"));
  }
  return c.Emit("gelu", in, {{"approximate", approximate}});
}

KILN_REGISTER_ONNX_CONVERTER(Gelu, 20, kLatestOpset, Gelu);

// Up to opset 10 the bounds are attributes, defaulting to float's range.
absl::Status ClipWithAttributes(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 1));
  KILN_ASSIGN(lo, c.AttrFloat("min", -3.4028234663852886e38));
  KILN_ASSIGN(hi, c.AttrFloat("max", 3.4028234663852886e38));
  return c.Emit("clip", in, {{"min", lo}, {"max", hi}});
}

// From opset 11 the bounds are optional inputs. Constant float bounds make
// one clip; others (computed at run time, or integer) a max and a min.
absl::Status ClipWithInputs(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 1));
  double bounds[2] = {-INFINITY, INFINITY};
  bool constant = true;
  for (int k : {1, 2}) {
    if (!c.HasInput(k)) continue;
    int64_t count = 1;
    for (int64_t d : c.InputType(k).shape) count *= d;
    if (count != 1) {
      return c.Invalid(absl::StrCat(k == 1 ? "min" : "max", " has shape ",
                                    runtime::ShapeToString(c.InputType(k).shape),
                                    "; expected one value"));
    }
    auto data = c.InputConstant(k);
    if (data && data->dtype() == runtime::DType::kFloat32) {
      bounds[k - 1] = data->data<float>()[0];
    } else {
      constant = false;
    }
  }
  if (constant) return c.Emit("clip", in, {{"min", bounds[0]}, {"max", bounds[1]}});
  int value = in[0];
  for (auto [k, op] : {std::pair<int, const char*>{1, "max"}, {2, "min"}}) {
    if (!c.HasInput(k)) continue;
    KILN_ASSIGN(bound, c.Input(k));
    KILN_ASSIGN(step, c.EmitStep(op, {value, bound}, {}));
    value = step;
  }
  c.Alias(value);
  return absl::OkStatus();
}

KILN_REGISTER_ONNX_CONVERTER(Clip, 1, 10, ClipWithAttributes);
KILN_REGISTER_ONNX_CONVERTER(Clip, 11, kLatestOpset, ClipWithInputs);

absl::Status Cast(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 1));
  KILN_ASSIGN(to, c.AttrInt("to", std::nullopt));
  auto name = DTypeNameFromOnnx(to);
  if (!name.ok()) return c.Unsupported(std::string(name.status().message()));
  return c.Emit("cast", in, {{"to", *name}});
}

// Until opset 6 `to` names the type ("FLOAT") instead of numbering it.
absl::Status CastToNamedType(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 1));
  KILN_ASSIGN(to, c.AttrString("to", std::nullopt));
  onnx::TensorProto::DataType type;
  if (!onnx::TensorProto::DataType_Parse(to, &type)) {
    return c.Invalid(absl::StrCat("'to' is '", to, "', not an ONNX element type name like FLOAT"));
  }
  auto name = DTypeNameFromOnnx(type);
  if (!name.ok()) return c.Unsupported(std::string(name.status().message()));
  return c.Emit("cast", in, {{"to", *name}});
}

// CastLike: a cast to the type of its second input, whose values are unused.
absl::Status CastLike(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 2));
  const runtime::DType to = c.InputType(1).dtype;
  return c.Emit("cast", {in[0]}, {{"to", std::string(runtime::DTypeName(to))}});
}

KILN_REGISTER_ONNX_CONVERTER(Cast, 1, 5, CastToNamedType);
KILN_REGISTER_ONNX_CONVERTER(Cast, 6, kLatestOpset, Cast);
KILN_REGISTER_ONNX_CONVERTER(CastLike, 15, kLatestOpset, CastLike);

// Until opset 7 the binary ops broadcast only with broadcast=1, and then
// only B, aligned with A at `axis` (or with A's last axes when it is absent).
Converter BinaryWithBroadcastAttribute(std::string op) {
  return [op](ImportContext& c) -> absl::Status {
    if (c.num_inputs() != 2) return c.Unsupported(absl::StrCat(c.num_inputs(), " operands"));
    KILN_ASSIGN(in, Inputs(c, 2));
    KILN_ASSIGN(broadcast, c.AttrInt("broadcast", 0));
    const auto& a = c.InputType(0).shape;
    const auto& b = c.InputType(1).shape;
    if (broadcast == 0) {
      if (a != b) {
        return c.Invalid(absl::StrCat("operands of shapes ", runtime::ShapeToString(a), " and ",
                                      runtime::ShapeToString(b),
                                      " differ and broadcast is not 1"));
      }
      return c.Emit(op, in, {});
    }
    if (c.Attr("axis")) {
      KILN_ASSIGN(axis, c.AttrInt("axis", std::nullopt));
      KILN_ASSIGN(aligned, AlignAt(c, in[1], axis, a.size()));
      in[1] = aligned;
    } else if (b.size() > a.size()) {
      return c.Invalid(absl::StrCat("B of shape ", runtime::ShapeToString(b),
                                    " has a higher rank than A of shape ",
                                    runtime::ShapeToString(a)));
    }
    return c.Emit(op, in, {});
  };
}

// x ** 2 with a constant exponent (a decomposed LayerNormalization's
// variance) is x * x: the same float, correctly rounded once, and it fuses
// with its neighbours, where a call to pow per element ran as a kernel of
// its own (a tenth of BERT-base's time).
absl::Status PowOp(ImportContext& c) {
  if (c.num_inputs() != 2) return c.Unsupported(absl::StrCat(c.num_inputs(), " operands"));
  KILN_ASSIGN(in, Inputs(c, 2));
  const std::optional<graph::NDArray> exponent = c.InputConstant(1);
  const runtime::DType base = c.InputType(0).dtype;
  if (exponent && exponent->NumElements() == 1 &&
      exponent->shape().size() <= c.InputType(0).shape.size() &&
      (base == runtime::DType::kFloat32 || base == runtime::DType::kFloat64)) {
    double value = 0;
    switch (exponent->dtype()) {
      case runtime::DType::kFloat32: value = exponent->data<float>()[0]; break;
      case runtime::DType::kFloat64: value = exponent->data<double>()[0]; break;
      case runtime::DType::kInt64: value = static_cast<double>(exponent->data<int64_t>()[0]); break;
      case runtime::DType::kInt32: value = exponent->data<int32_t>()[0]; break;
      default: value = 0;
    }
    if (value == 2.0) return c.Emit("mul", {in[0], in[0]}, {});
  }
  return c.Emit("pow", in, {});
}

KILN_REGISTER_ONNX_CONVERTER(Add, 1, 6, BinaryWithBroadcastAttribute("add"));
KILN_REGISTER_ONNX_CONVERTER(Add, 7, kLatestOpset, BinaryOp("add"));
KILN_REGISTER_ONNX_CONVERTER(Sub, 1, 6, BinaryWithBroadcastAttribute("sub"));
KILN_REGISTER_ONNX_CONVERTER(Sub, 7, kLatestOpset, BinaryOp("sub"));
KILN_REGISTER_ONNX_CONVERTER(Mul, 1, 6, BinaryWithBroadcastAttribute("mul"));
KILN_REGISTER_ONNX_CONVERTER(Mul, 7, kLatestOpset, BinaryOp("mul"));
KILN_REGISTER_ONNX_CONVERTER(Div, 1, 6, BinaryWithBroadcastAttribute("div"));
KILN_REGISTER_ONNX_CONVERTER(Div, 7, kLatestOpset, BinaryOp("div"));
KILN_REGISTER_ONNX_CONVERTER(Pow, 1, 6, BinaryWithBroadcastAttribute("pow"));
KILN_REGISTER_ONNX_CONVERTER(Pow, 7, kLatestOpset, PowOp);
KILN_REGISTER_ONNX_CONVERTER(Equal, 1, 6, BinaryWithBroadcastAttribute("equal"));
KILN_REGISTER_ONNX_CONVERTER(Equal, 7, kLatestOpset, BinaryOp("equal"));
KILN_REGISTER_ONNX_CONVERTER(Less, 1, 6, BinaryWithBroadcastAttribute("less"));
KILN_REGISTER_ONNX_CONVERTER(Less, 7, kLatestOpset, BinaryOp("less"));
KILN_REGISTER_ONNX_CONVERTER(Greater, 1, 6, BinaryWithBroadcastAttribute("greater"));
KILN_REGISTER_ONNX_CONVERTER(Greater, 7, kLatestOpset, BinaryOp("greater"));
KILN_REGISTER_ONNX_CONVERTER(LessOrEqual, 12, kLatestOpset, BinaryOp("less_equal"));
KILN_REGISTER_ONNX_CONVERTER(GreaterOrEqual, 12, kLatestOpset, BinaryOp("greater_equal"));
KILN_REGISTER_ONNX_CONVERTER(And, 1, 6, BinaryWithBroadcastAttribute("and"));
KILN_REGISTER_ONNX_CONVERTER(And, 7, kLatestOpset, BinaryOp("and"));
KILN_REGISTER_ONNX_CONVERTER(Or, 1, 6, BinaryWithBroadcastAttribute("or"));
KILN_REGISTER_ONNX_CONVERTER(Or, 7, kLatestOpset, BinaryOp("or"));
KILN_REGISTER_ONNX_CONVERTER(Xor, 1, 6, BinaryWithBroadcastAttribute("xor"));
KILN_REGISTER_ONNX_CONVERTER(Xor, 7, kLatestOpset, BinaryOp("xor"));

// ONNX requires fmod=1 for floats; fmod=0 (the divisor's sign) is for
// integers.
absl::Status Mod(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 2));
  KILN_ASSIGN(fmod, c.AttrInt("fmod", 0));
  if (fmod != 0 && fmod != 1) {
    return c.Invalid(absl::StrCat("fmod is ", fmod, "; expected 0 or 1"));
  }
  if (fmod == 0 && runtime::IsFloatDType(c.InputType(0).dtype)) {
    return c.Invalid("fmod is 0 for float operands; ONNX requires fmod=1 for floats");
  }
  return c.Emit("mod", in, {{"fmod", fmod}});
}

KILN_REGISTER_ONNX_CONVERTER(Mod, 10, kLatestOpset, Mod);

absl::Status BitShift(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 2));
  KILN_ASSIGN(direction, c.AttrString("direction", std::nullopt));
  if (direction != "LEFT" && direction != "RIGHT") {
    return c.Invalid(absl::StrCat("direction is '", direction, "'; expected LEFT or RIGHT"));
  }
  return c.Emit("bit_shift", in, {{"direction", direction}});
}

KILN_REGISTER_ONNX_CONVERTER(BitShift, 11, kLatestOpset, BitShift);

// Until opset 7 a slope of more than one value holds one per channel (axis
// 1) rather than broadcasting from the last axis.
absl::Status PReluWithChannelSlope(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 2));
  const auto& x = c.InputType(0).shape;
  const auto& slope = c.InputType(1).shape;
  int64_t count = 1;
  for (int64_t d : slope) count *= d;
  if (count > 1) {
    if (x.size() < 2 || slope.size() != 1 || slope[0] != x[1]) {
      return c.Invalid(absl::StrCat("slope of shape ", runtime::ShapeToString(slope),
                                    " is neither one value nor one per channel of X ",
                                    runtime::ShapeToString(x)));
    }
    KILN_ASSIGN(aligned, AlignAt(c, in[1], 1, x.size()));
    in[1] = aligned;
  }
  return c.Emit("prelu", in, {});
}

KILN_REGISTER_ONNX_CONVERTER(PRelu, 1, 6, PReluWithChannelSlope);
KILN_REGISTER_ONNX_CONVERTER(PRelu, 7, kLatestOpset, BinaryOp("prelu"));

// Max, Min, Sum and Mean take any number of operands in ONNX but are binary
// in kiln: the operands fold from the left (broadcasting composes), and
// fusion merges the chain back into one kernel. A lone operand passes
// through.
absl::StatusOr<int> FoldOperands(ImportContext& c, const std::string& op) {
  KILN_ASSIGN(in, Inputs(c, c.num_inputs()));
  if (in.empty()) return c.Invalid("no operands; expected at least one");
  int acc = in[0];
  for (size_t k = 1; k < in.size(); ++k) {
    KILN_ASSIGN(next, c.EmitStep(op, {acc, in[k]}, {}));
    acc = next;
  }
  return acc;
}

Converter Variadic(std::string op) {
  return [op](ImportContext& c) -> absl::Status {
    KILN_ASSIGN(folded, FoldOperands(c, op));
    c.Alias(folded);
    return absl::OkStatus();
  };
}

KILN_REGISTER_ONNX_CONVERTER(Max, 1, kLatestOpset, Variadic("max"));
KILN_REGISTER_ONNX_CONVERTER(Min, 1, kLatestOpset, Variadic("min"));
KILN_REGISTER_ONNX_CONVERTER(Sum, 1, kLatestOpset, Variadic("add"));

absl::Status Mean(ImportContext& c) {
  if (c.num_inputs() > 0 && c.InputType(0).dtype != runtime::DType::kFloat32) {
    return c.Unsupported(absl::StrCat("Mean of ", runtime::DTypeName(c.InputType(0).dtype)));
  }
  KILN_ASSIGN(sum, FoldOperands(c, "add"));
  KILN_ASSIGN(count, graph::NDArray::Empty({}, runtime::DType::kFloat32));
  count.data<float>()[0] = static_cast<float>(c.num_inputs());
  const int count_id = c.graph().AddConstant(absl::StrCat(c.node().output(0), "/count"), count);
  return c.Emit("div", {sum, count_id}, {});
}

KILN_REGISTER_ONNX_CONVERTER(Mean, 1, kLatestOpset, Mean);

}  // namespace
}  // namespace kiln::frontend

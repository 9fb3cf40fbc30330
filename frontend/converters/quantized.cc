// The quantized ONNX operators (QuantizeLinear, DequantizeLinear,
// DynamicQuantizeLinear, MatMulInteger, ConvInteger, QLinearMatMul,
// QLinearConv) as float32 arithmetic on dequantized operands.
//
// Integer products run through kiln's float32 matrix product and
// convolution, which are exact while every partial sum stays below 2^24:
// with 8-bit operands less their zero points each product is at most
// 255 * 255, so up to kExactTerms products per output sum exactly. Longer
// reductions are split into pieces of at most that many terms whose exact
// results are added as int32, so the integer result is exact for any size.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"
#include "frontend/converters/graph_steps.h"

namespace kiln::frontend {
namespace {

using runtime::DType;

// 2^24 / (255 * 255), rounded down.
constexpr int64_t kExactTerms = 258;

int64_t NumElements(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

// The range of a quantized type, or an error naming the type.
absl::StatusOr<std::pair<double, double>> QuantizedRange(ImportContext& c, DType t) {
  switch (t) {
    case DType::kUInt8: return std::pair<double, double>{0, 255};
    case DType::kInt8: return std::pair<double, double>{-128, 127};
    case DType::kUInt16: return std::pair<double, double>{0, 65535};
    case DType::kInt16: return std::pair<double, double>{-32768, 32767};
    default:
      return c.Unsupported(absl::StrCat(runtime::DTypeName(t), " quantized values (kiln reads "
                                        "int8, uint8, int16 and uint16)"));
  }
}

// A scale or zero point: one value, or (when `axis` is given) one per entry
// of the data's axis, reshaped to broadcast against rank-`rank` data.
int PerAxis(GraphSteps& s, int value, int64_t axis, int64_t rank) {
  if (value < 0 || s.Shape(value).size() != 1) return value;
  const int64_t count = s.Shape(value)[0];
  if (count == 1) return s.Reshape(value, {});
  if (axis < 0) axis += rank;
  std::vector<int64_t> shape(rank - axis, 1);
  if (shape.empty()) {
    s.Fail(s.context().Invalid("axis out of range for a per-axis scale"));
    return -1;
  }
  shape[0] = count;
  return s.Reshape(value, shape);
}

// float32(q) - float32(zero_point); `zero_point` < 0 means none.
int Dequantized(GraphSteps& s, int q, int zero_point) {
  const int real = s.Cast(q, DType::kFloat32);
  if (zero_point < 0) return real;
  return s.Op("sub", {real, s.Cast(zero_point, DType::kFloat32)});
}

// round-half-even(real) + zero_point, saturated to `to`'s range.
int Requantized(GraphSteps& s, int real, int zero_point, DType to,
                std::pair<double, double> range) {
  int q = s.Op("round", {real});
  if (zero_point >= 0) q = s.Op("add", {q, s.Cast(zero_point, DType::kFloat32)});
  q = s.Op("clip", {q}, {{"min", range.first}, {"max", range.second}});
  return s.Cast(q, to);
}

// The exact int32 result of `product` (a matrix product or a convolution of
// float32 operands holding integers of at most 255 in magnitude) over a
// reduction of `terms` products per output: the operands are split along
// their reduced axes (`a_axis` of the first, `b_axis` of the second) into
// pieces short enough to sum exactly, and the pieces' results added as int32.
// `unit` is the number of terms one entry of the split axis brings.
template <typename Product>
int ExactIntegerProduct(GraphSteps& s, int a, int64_t a_axis, int b, int64_t b_axis,
                        int64_t unit, Product product) {
  if (a < 0 || b < 0) return -1;
  const int64_t length = s.Shape(a)[a_axis];
  const int64_t piece = kExactTerms / unit;
  if (piece < 1) {
    s.Fail(s.context().Unsupported(absl::StrCat(
        "a window of ", unit, " products per input channel (exact below ", kExactTerms, ")")));
    return -1;
  }
  int sum = -1;
  for (int64_t start = 0; start < length; start += piece) {
    const int64_t end = std::min(length, start + piece);
    const bool whole = start == 0 && end == length;
    const int part = product(whole ? a : s.Slice(a, a_axis, start, end),
                             whole ? b : s.Slice(b, b_axis, start, end));
    const int exact = s.Cast(part, DType::kInt32);
    sum = sum < 0 ? exact : s.Op("add", {sum, exact});
  }
  return sum;
}

// Optional input `i` as a value id, -1 when absent.
int OptionalInput(GraphSteps& s, int i) {
  ImportContext& c = s.context();
  if (!c.HasInput(i)) return -1;
  auto id = c.Input(i);
  if (!id.ok()) {
    s.Fail(id.status());
    return -1;
  }
  return *id;
}

absl::Status DequantizeLinear(ImportContext& c) {
  KILN_ASSIGN(block_size, c.AttrInt("block_size", 0));
  if (block_size != 0) return c.Unsupported("blocked quantization (block_size)");
  KILN_ASSIGN(axis, c.AttrInt("axis", 1));
  KILN_ASSIGN(in, Inputs(c, 2));
  const int64_t rank = c.InputType(0).shape.size();
  const DType out = c.InputType(1).dtype;
  GraphSteps s(c);
  const int zero_point = PerAxis(s, OptionalInput(s, 2), axis, rank);
  const int scale = s.Cast(PerAxis(s, in[1], axis, rank), DType::kFloat32);
  return s.Bind(s.Cast(s.Op("mul", {Dequantized(s, in[0], zero_point), scale}), out));
}

absl::Status QuantizeLinear(ImportContext& c) {
  KILN_ASSIGN(block_size, c.AttrInt("block_size", 0));
  if (block_size != 0) return c.Unsupported("blocked quantization (block_size)");
  KILN_ASSIGN(axis, c.AttrInt("axis", 1));
  KILN_ASSIGN(output_dtype, c.AttrInt("output_dtype", 0));
  KILN_ASSIGN(in, Inputs(c, 2));
  const int64_t rank = c.InputType(0).shape.size();
  DType to = DType::kUInt8;
  if (c.HasInput(2)) {
    to = c.InputType(2).dtype;
  } else if (output_dtype != 0) {
    KILN_ASSIGN(name, DTypeNameFromOnnx(static_cast<int>(output_dtype)));
    KILN_ASSIGN(declared, runtime::ParseDType(name));
    to = declared;
  }
  KILN_ASSIGN(range, QuantizedRange(c, to));
  GraphSteps s(c);
  const int zero_point = PerAxis(s, OptionalInput(s, 2), axis, rank);
  const int scale = s.Cast(PerAxis(s, in[1], axis, rank), DType::kFloat32);
  const int real = s.Op("div", {s.Cast(in[0], DType::kFloat32), scale});
  return s.Bind(Requantized(s, real, zero_point, to, range));
}

// Scale and zero point from the data's range widened to hold 0, then
// QuantizeLinear to uint8 with them.
absl::Status DynamicQuantizeLinear(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 1));
  if (c.InputType(0).dtype != DType::kFloat32) {
    return c.Unsupported(absl::StrCat(runtime::DTypeName(c.InputType(0).dtype), " input"));
  }
  GraphSteps s(c);
  const GraphSteps::Attrs all = {{"axes", std::vector<int64_t>{}}, {"keepdims", int64_t{0}}};
  const int zero = s.Scalar(0.0f);
  const int lo = s.Op("min", {s.Op("reduce_min", {in[0]}, all), zero});
  const int hi = s.Op("max", {s.Op("reduce_max", {in[0]}, all), zero});
  const int scale = s.Op("div", {s.Op("sub", {hi, lo}), s.Scalar(255.0f)});
  const int zero_point =
      s.Op("clip", {s.Op("round", {s.Op("div", {s.Op("neg", {lo}), scale})})},
           {{"min", 0.0}, {"max", 255.0}});
  const int y = Requantized(s, s.Op("div", {in[0], scale}), zero_point, DType::kUInt8, {0, 255});
  if (!s.Bind(y, 0).ok()) return s.status();
  if (!s.Bind(scale, 1).ok()) return s.status();
  return s.Bind(s.Cast(zero_point, DType::kUInt8), 2);
}

// The exact int32 matrix product of quantized a and b less their zero
// points: a's per-row (1-D) zero point applies along its rows, b's per-column
// one along its columns.
int IntegerMatMul(GraphSteps& s, int a, int a_zero_point, int b, int b_zero_point) {
  if (a < 0 || b < 0) return -1;
  const int64_t a_rank = s.Shape(a).size(), b_rank = s.Shape(b).size();
  if (a_rank < 2 || b_rank < 2) {
    s.Fail(s.context().Unsupported("a quantized matrix product of a vector"));
    return -1;
  }
  const int a_real = Dequantized(s, a, PerAxis(s, a_zero_point, a_rank - 2, a_rank));
  const int b_real = Dequantized(s, b, b_zero_point);
  return ExactIntegerProduct(s, a_real, a_rank - 1, b_real, b_rank - 2, 1,
                             [&](int x, int y) { return s.Op("matmul", {x, y}); });
}

// The exact int32 convolution of quantized x and w less their zero points
// (w's per-output-channel one along its first axis), converted as the
// node's own attributes make a Conv.
int IntegerConv(GraphSteps& s, int x, int x_zero_point, int w, int w_zero_point) {
  if (x < 0 || w < 0) return -1;
  ImportContext& c = s.context();
  const std::vector<int64_t> w_shape = s.Shape(w);
  const int64_t w_rank = w_shape.size();
  const int x_real = Dequantized(s, x, x_zero_point);
  const int w_real = Dequantized(s, w, PerAxis(s, w_zero_point, 0, w_rank));
  auto group = c.AttrInt("group", 1);
  if (!group.ok()) {
    s.Fail(group.status());
    return -1;
  }
  onnx::NodeProto conv = c.node();
  conv.set_op_type("Conv");
  auto convolve = [&](int xs, int ws) {
    auto y = ConvertAs(c, conv, {xs, ws});
    if (!y.ok()) s.Fail(y.status());
    return y.ok() ? *y : -1;
  };
  const int64_t window = NumElements(w_shape) / std::max<int64_t>(1, w_shape[0] * w_shape[1]);
  if (*group == 1) return ExactIntegerProduct(s, x_real, 1, w_real, 1, window, convolve);
  // A grouped convolution reduces over its group's channels only; splitting
  // the channels would cut across groups, so a group must sum exactly whole.
  if (window * w_shape[1] > kExactTerms) {
    s.Fail(c.Unsupported(absl::StrCat("a grouped integer convolution of ", window * w_shape[1],
                                      " products per output (exact up to ", kExactTerms, ")")));
    return -1;
  }
  return s.Cast(convolve(x_real, w_real), DType::kInt32);
}

absl::Status MatMulInteger(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 2));
  GraphSteps s(c);
  return s.Bind(IntegerMatMul(s, in[0], OptionalInput(s, 2), in[1], OptionalInput(s, 3)));
}

absl::Status ConvInteger(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 2));
  GraphSteps s(c);
  return s.Bind(IntegerConv(s, in[0], OptionalInput(s, 2), in[1], OptionalInput(s, 3)));
}

// acc * (scale_a * scale_b / y_scale), requantized with y's zero point; the
// scales are aligned by the caller.
int Rescaled(GraphSteps& s, int acc, int scale_a, int scale_b, int y_scale, int y_zero_point,
             DType to, std::pair<double, double> range) {
  const int multiplier = s.Op("div", {s.Op("mul", {s.Cast(scale_a, DType::kFloat32),
                                                   s.Cast(scale_b, DType::kFloat32)}),
                                      s.Cast(y_scale, DType::kFloat32)});
  const int real = s.Op("mul", {s.Cast(acc, DType::kFloat32), multiplier});
  return Requantized(s, real, y_zero_point, to, range);
}

// Inputs: a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale,
// y_zero_point; scales and zero points per tensor, or a's per row and b's per
// column.
absl::Status QLinearMatMul(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 8));
  const DType to = c.InputType(7).dtype;
  KILN_ASSIGN(range, QuantizedRange(c, to));
  const int64_t rank =
      std::max(c.InputType(0).shape.size(), c.InputType(3).shape.size());
  GraphSteps s(c);
  const int acc = IntegerMatMul(s, in[0], in[2], in[3], in[5]);
  return s.Bind(Rescaled(s, acc, PerAxis(s, in[1], rank - 2, rank),
                         PerAxis(s, in[4], rank - 1, rank), in[6], in[7], to, range));
}

// Inputs: x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale,
// y_zero_point and an optional int32 bias per output channel.
absl::Status QLinearConv(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 8));
  const DType to = c.InputType(7).dtype;
  KILN_ASSIGN(range, QuantizedRange(c, to));
  const int64_t rank = c.InputType(0).shape.size();
  GraphSteps s(c);
  int acc = IntegerConv(s, in[0], in[2], in[3], in[5]);
  if (const int bias = OptionalInput(s, 8); bias >= 0) {
    acc = s.Op("add", {acc, PerAxis(s, s.Cast(bias, DType::kInt32), 1, rank)});
  }
  return s.Bind(Rescaled(s, acc, PerAxis(s, in[1], 1, rank), PerAxis(s, in[4], 1, rank), in[6],
                         in[7], to, range));
}

KILN_REGISTER_ONNX_CONVERTER(DequantizeLinear, 10, kLatestOpset, DequantizeLinear);
KILN_REGISTER_ONNX_CONVERTER(QuantizeLinear, 10, kLatestOpset, QuantizeLinear);
KILN_REGISTER_ONNX_CONVERTER(DynamicQuantizeLinear, 11, kLatestOpset, DynamicQuantizeLinear);
KILN_REGISTER_ONNX_CONVERTER(MatMulInteger, 10, kLatestOpset, MatMulInteger);
KILN_REGISTER_ONNX_CONVERTER(ConvInteger, 10, kLatestOpset, ConvInteger);
KILN_REGISTER_ONNX_CONVERTER(QLinearMatMul, 10, kLatestOpset, QLinearMatMul);
KILN_REGISTER_ONNX_CONVERTER(QLinearConv, 10, kLatestOpset, QLinearConv);

}  // namespace
}  // namespace kiln::frontend

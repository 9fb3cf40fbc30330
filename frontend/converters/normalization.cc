// The normalizations kiln has no operator of its own for, written as the
// reductions and broadcast arithmetic they are defined with (each one
// compiles to a few fused kernels): MeanVarianceNormalization,
// LpNormalization, GlobalLpPool, GroupNormalization and LRN.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"
#include "frontend/converters/graph_steps.h"

namespace kiln::frontend {
namespace {

absl::Status RequireFloat(ImportContext& c) {
  if (c.InputType(0).dtype != runtime::DType::kFloat32) {
    return c.Unsupported(absl::StrCat(runtime::DTypeName(c.InputType(0).dtype), " input"));
  }
  return absl::OkStatus();
}

int ReduceMean(GraphSteps& s, int v, const std::vector<int64_t>& axes) {
  return s.Op("reduce_mean", {v}, {{"axes", axes}, {"keepdims", int64_t{1}}});
}

// (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9) over `axes`, as ONNX's function
// body computes it.
absl::Status MeanVarianceNormalization(ImportContext& c) {
  if (auto st = RequireFloat(c); !st.ok()) return st;
  KILN_ASSIGN(axes, c.AttrInts("axes", std::vector<int64_t>{0, 2, 3}));
  KILN_ASSIGN(in, Inputs(c, 1));
  GraphSteps s(c);
  const int mean = ReduceMean(s, in[0], axes);
  const int mean_of_squares = ReduceMean(s, s.Op("mul", {in[0], in[0]}), axes);
  const int variance = s.Op("sub", {mean_of_squares, s.Op("mul", {mean, mean})});
  const int deviation = s.Op("add", {s.Op("sqrt", {variance}), s.Scalar(1e-9f)});
  return s.Bind(s.Op("div", {s.Op("sub", {in[0], mean}), deviation}));
}

// The p-norm over `axes`, kept: reduce_l1 and reduce_l2 for p = 1 and 2,
// (sum |x|^p)^(1/p) otherwise.
int LpNorm(GraphSteps& s, int v, double p, const std::vector<int64_t>& axes) {
  const GraphSteps::Attrs attrs = {{"axes", axes}, {"keepdims", int64_t{1}}};
  if (p == 1) return s.Op("reduce_l1", {v}, attrs);
  if (p == 2) return s.Op("reduce_l2", {v}, attrs);
  const int powered = s.Op("pow", {s.Op("abs", {v}), s.Scalar(static_cast<float>(p))});
  return s.Op("pow", {s.Op("reduce_sum", {powered}, attrs), s.Scalar(static_cast<float>(1.0 / p))});
}

absl::Status LpNormalization(ImportContext& c) {
  if (auto st = RequireFloat(c); !st.ok()) return st;
  KILN_ASSIGN(axis, c.AttrInt("axis", -1));
  KILN_ASSIGN(p, c.AttrInt("p", 2));
  if (p != 1 && p != 2) return c.Invalid(absl::StrCat("p = ", p, "; expected 1 or 2"));
  KILN_ASSIGN(in, Inputs(c, 1));
  GraphSteps s(c);
  return s.Bind(s.Op("div", {in[0], LpNorm(s, in[0], p, {axis})}));
}

absl::Status EmitGlobalLpPool(ImportContext& c, double p) {
  if (auto st = RequireFloat(c); !st.ok()) return st;
  if (!(p > 0)) return c.Invalid(absl::StrCat("p = ", p, "; expected a positive number"));
  KILN_ASSIGN(in, Inputs(c, 1));
  const int64_t rank = static_cast<int64_t>(c.InputType(0).shape.size());
  if (rank < 3) return c.Invalid(absl::StrCat("input of rank ", rank, "; expected N, C and spatial axes"));
  std::vector<int64_t> spatial;
  for (int64_t d = 2; d < rank; ++d) spatial.push_back(d);
  GraphSteps s(c);
  return s.Bind(LpNorm(s, in[0], p, spatial));
}

// p was a float until opset 2 made it an int.
absl::Status GlobalLpPoolWithFloatP(ImportContext& c) {
  KILN_ASSIGN(p, c.AttrFloat("p", 2.0));
  return EmitGlobalLpPool(c, p);
}

absl::Status GlobalLpPool(ImportContext& c) {
  KILN_ASSIGN(p, c.AttrInt("p", 2));
  return EmitGlobalLpPool(c, static_cast<double>(p));
}

// Normalizes each group of channels of x [N, C, ...] over the group's
// channels and all spatial positions, then scales and shifts: per group
// (opset 18's scale and bias [G]) or per channel (opset 21's [C]).
Converter GroupNormalization(bool per_channel) {
  return [per_channel](ImportContext& c) -> absl::Status {
    if (auto st = RequireFloat(c); !st.ok()) return st;
    KILN_ASSIGN(epsilon, c.AttrFloat("epsilon", 1e-5));
    KILN_ASSIGN(groups, c.AttrInt("num_groups", std::nullopt));
    KILN_ASSIGN(in, Inputs(c, 3));
    const std::vector<int64_t> x = c.InputType(0).shape;
    if (x.size() < 2 || groups < 1 || x[1] % groups != 0) {
      return c.Invalid(absl::StrCat("input ", runtime::ShapeToString(x), " with ", groups,
                                    " groups; expected [N, C, ...] with C a multiple of them"));
    }
    const int64_t params = per_channel ? x[1] : groups;
    for (int k = 1; k < 3; ++k) {
      if (c.InputType(k).shape != std::vector<int64_t>{params}) {
        return c.Invalid(absl::StrCat(k == 1 ? "scale" : "bias", " of shape ",
                                      runtime::ShapeToString(c.InputType(k).shape),
                                      "; expected [", params, "]"));
      }
    }
    int64_t spatial = 1;
    for (size_t d = 2; d < x.size(); ++d) spatial *= x[d];
    GraphSteps s(c);
    const int grouped = s.Reshape(in[0], {x[0], groups, x[1] / groups * spatial});
    const int mean = ReduceMean(s, grouped, {2});
    const int centered = s.Op("sub", {grouped, mean});
    const int variance = ReduceMean(s, s.Op("mul", {centered, centered}), {2});
    const int inv_std = s.Op("reciprocal", {s.Op("sqrt", {s.Op("add", {variance,
                                                  s.Scalar(static_cast<float>(epsilon))})})});
    int y = s.Op("mul", {centered, inv_std});
    // The view in which scale and bias broadcast as [1, params, 1].
    y = s.Reshape(y, {x[0], params, x[1] / params * spatial});
    y = s.Op("mul", {y, s.Reshape(in[1], {1, params, 1})});
    y = s.Op("add", {y, s.Reshape(in[2], {1, params, 1})});
    return s.Bind(s.Reshape(y, x));
  };
}

// x / (bias + alpha / size * sum of x^2 over a window of `size` channels)^beta;
// the window sum is the sum of `size` shifted slices of the zero-padded
// squares.
absl::Status Lrn(ImportContext& c) {
  if (auto st = RequireFloat(c); !st.ok()) return st;
  KILN_ASSIGN(alpha, c.AttrFloat("alpha", 1e-4));
  KILN_ASSIGN(beta, c.AttrFloat("beta", 0.75));
  KILN_ASSIGN(bias, c.AttrFloat("bias", 1.0));
  KILN_ASSIGN(size, c.AttrInt("size", std::nullopt));
  KILN_ASSIGN(in, Inputs(c, 1));
  const std::vector<int64_t> x = c.InputType(0).shape;
  if (x.size() < 2 || size < 1) {
    return c.Invalid(absl::StrCat("input ", runtime::ShapeToString(x), " with size ", size,
                                  "; expected [N, C, ...] and a positive size"));
  }
  const int64_t rank = static_cast<int64_t>(x.size()), channels = x[1];
  // A window reaching more than channels - 1 past a channel adds only
  // padding's zeros: clamped, a hostile size costs no more than the channels.
  std::vector<int64_t> pads(2 * rank, 0);
  const int64_t reach = std::max<int64_t>(channels - 1, 0);
  pads[1] = std::min((size - 1) / 2, reach);
  pads[rank + 1] = std::min(size / 2, reach);
  GraphSteps s(c);
  const int padded = s.Op("pad", {s.Op("mul", {in[0], in[0]})},
                          {{"pads", pads}, {"mode", std::string("constant")}, {"value", 0.0}});
  int window = s.Slice(padded, 1, 0, channels);
  for (int64_t k = 1; k <= pads[1] + pads[rank + 1]; ++k) {
    window = s.Op("add", {window, s.Slice(padded, 1, k, k + channels)});
  }
  const int scaled = s.Op("add", {s.Op("mul", {window, s.Scalar(static_cast<float>(alpha / size))}),
                                  s.Scalar(static_cast<float>(bias))});
  const int denominator = s.Op("pow", {scaled, s.Scalar(static_cast<float>(beta))});
  return s.Bind(s.Op("div", {in[0], denominator}));
}

KILN_REGISTER_ONNX_CONVERTER(MeanVarianceNormalization, 9, kLatestOpset,
                             MeanVarianceNormalization);
KILN_REGISTER_ONNX_CONVERTER(LpNormalization, 1, kLatestOpset, LpNormalization);
KILN_REGISTER_ONNX_CONVERTER(GlobalLpPool, 1, 1, GlobalLpPoolWithFloatP);
KILN_REGISTER_ONNX_CONVERTER(GlobalLpPool, 2, kLatestOpset, GlobalLpPool);
KILN_REGISTER_ONNX_CONVERTER(GroupNormalization, 18, 20, GroupNormalization(/*per_channel=*/false));
KILN_REGISTER_ONNX_CONVERTER(GroupNormalization, 21, kLatestOpset,
                             GroupNormalization(/*per_channel=*/true));
KILN_REGISTER_ONNX_CONVERTER(LRN, 1, kLatestOpset, Lrn);

}  // namespace
}  // namespace kiln::frontend

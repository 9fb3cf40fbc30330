#include "frontend/converters/resize_matrices.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"
#include "frontend/converters/graph_steps.h"
#include "frontend/memory_budget.h"

namespace kiln::frontend {
namespace {

// Where output element `x` of an axis falls in the input (ONNX's
// coordinate_transformation_mode), or NaN where tf_crop_and_resize lands
// outside the input and extrapolates. ONNX measures the resized length as
// scale * in, unrounded.
double OriginalCoordinate(const ResizeSpec& spec, int64_t axis, int64_t x, int64_t in) {
  const std::string& mode = spec.coordinate_transformation_mode;
  const double scale = spec.scales[axis];
  const double length = scale * static_cast<double>(in);
  const double last = static_cast<double>(in - 1);
  if (mode == "align_corners") return length == 1 ? 0 : x * last / (length - 1);
  if (mode == "asymmetric") return x / scale;
  if (mode == "tf_half_pixel_for_nn") return (x + 0.5) / scale;
  if (mode == "pytorch_half_pixel") return length == 1 ? -0.5 : (x + 0.5) / scale - 0.5;
  if (mode == "tf_crop_and_resize") {
    const size_t rank = spec.scales.size();
    const double start = spec.roi[axis], end = spec.roi[rank + axis];
    const double at = (length == 1 ? (end - start) * last / 2
                                    : x * (end - start) * last / (length - 1)) +
                      start * last;
    return at < 0 || at > last ? std::nan("") : at;
  }
  return (x + 0.5) / scale - 0.5;  // half_pixel
}

// Keys' cubic convolution weights for the four inputs around a point
// `ratio` past the second of them.
std::vector<double> CubicWeights(double ratio, double a) {
  auto near = [a](double t) { return ((a + 2) * t - (a + 3)) * t * t + 1; };          // |t| <= 1
  auto far = [a](double t) { return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a; };    // 1 < |t| < 2
  return {far(ratio + 1), near(ratio), near(1 - ratio), far(2 - ratio)};
}

std::vector<double> NearestWeights(double ratio, const std::string& mode) {
  if (ratio == 1) return {0, 1};
  if (mode == "round_prefer_ceil") return {ratio < 0.5 ? 1.0 : 0.0, ratio >= 0.5 ? 1.0 : 0.0};
  if (mode == "floor") return {1, 0};
  if (mode == "ceil") return {0, 1};
  return {ratio <= 0.5 ? 1.0 : 0.0, ratio > 0.5 ? 1.0 : 0.0};  // round_prefer_floor
}

}  // namespace

absl::StatusOr<AxisInterpolation> InterpolationAlongAxis(const ResizeSpec& spec, int64_t axis,
                                                         int64_t in) {
  const int64_t out = spec.sizes[axis];
  AxisInterpolation axis_map;
  axis_map.weights.assign(out * in, 0.0f);
  axis_map.offsets.assign(out, 0.0f);
  for (int64_t o = 0; o < out; ++o) {
    const double at = OriginalCoordinate(spec, axis, o, in);
    if (std::isnan(at)) {
      axis_map.offsets[o] = static_cast<float>(spec.extrapolation_value);
      axis_map.has_offsets = true;
      continue;
    }
    if (!std::isfinite(at) || std::abs(at) > 1e15) {
      return absl::InvalidArgumentError(
          absl::StrCat("output ", o, " of axis ", axis, " maps to input coordinate ", at));
    }
    // The inputs on either side, preferring the left one: a coordinate on
    // an input element is a ratio of 1 past the element before it.
    const int64_t base = static_cast<int64_t>(std::ceil(at)) - 1;
    const double ratio = at - static_cast<double>(base);
    std::vector<double> w;
    int64_t first = base;
    if (spec.mode == "cubic") {
      w = CubicWeights(ratio, spec.cubic_coeff_a);
      first = base - 1;
    } else if (spec.mode == "linear") {
      w = {1 - ratio, ratio};
    } else {
      w = NearestWeights(ratio, spec.nearest_mode);
    }
    if (spec.exclude_outside) {
      std::vector<double> inside = w;
      double sum = 0;
      for (size_t k = 0; k < w.size(); ++k) {
        const int64_t i = first + static_cast<int64_t>(k);
        if (i < 0 || i >= in) inside[k] = 0;
        sum += inside[k];
      }
      // When every weight lies outside (a nearest pick past the edge), the
      // renormalization ONNX describes is 0/0: the edge is kept instead.
      if (sum != 0) {
        for (double& v : inside) v /= sum;
        w = inside;
      }
    }
    // Outside the input, ONNX repeats the edge element.
    for (size_t k = 0; k < w.size(); ++k) {
      const int64_t i = std::min(std::max<int64_t>(first + static_cast<int64_t>(k), 0), in - 1);
      axis_map.weights[o * in + i] += static_cast<float>(w[k]);
    }
  }
  return axis_map;
}

absl::Status EmitResizeByMatrices(ImportContext& c, const ResizeSpec& spec) {
  std::vector<int64_t> shape = c.InputType(0).shape;
  const int64_t rank = static_cast<int64_t>(shape.size());
  if (static_cast<int64_t>(spec.scales.size()) != rank ||
      static_cast<int64_t>(spec.sizes.size()) != rank) {
    return c.Invalid(absl::StrCat("scales and sizes for ", spec.scales.size(),
                                  " axes of a rank-", rank, " input"));
  }
  if (spec.coordinate_transformation_mode == "tf_crop_and_resize" &&
      static_cast<int64_t>(spec.roi.size()) != 2 * rank) {
    return c.Invalid(absl::StrCat("roi has ", spec.roi.size(), " values; expected ", 2 * rank));
  }
  if (c.InputType(0).dtype != runtime::DType::kFloat32) {
    return c.Unsupported(absl::StrCat(runtime::DTypeName(c.InputType(0).dtype), " input"));
  }
  GraphSteps s(c);
  KILN_ASSIGN(x, c.Input(0));
  int value = x;
  for (int64_t d = rank - 1; d >= 0; --d) {
    const int64_t in = shape[d], out = spec.sizes[d];
    if (in == 0 || out <= 0) return c.Unsupported("a resize of an empty axis");
    if (auto bytes = CheckTensorBytes(absl::StrCat("the interpolation matrix of axis ", d),
                                      {out, in}, runtime::DType::kFloat32, c.memory_budget());
        !bytes.ok()) {
      return c.Invalid(std::string(bytes.status().message()));
    }
    auto axis_map = InterpolationAlongAxis(spec, d, in);
    if (!axis_map.ok()) return c.Invalid(std::string(axis_map.status().message()));
    bool identity = out == in && !axis_map->has_offsets;
    for (int64_t o = 0; identity && o < out; ++o) {
      for (int64_t i = 0; i < in; ++i) identity &= axis_map->weights[o * in + i] == (o == i);
    }
    if (identity) continue;
    int64_t before = 1, after = 1;
    for (int64_t k = 0; k < d; ++k) before *= shape[k];
    for (int64_t k = d + 1; k < rank; ++k) after *= shape[k];
    int resized;
    if (after == 1) {
      // [before, in] x [in, out]: the weights transposed.
      std::vector<float> transposed(in * out);
      for (int64_t o = 0; o < out; ++o) {
        for (int64_t i = 0; i < in; ++i) transposed[i * out + o] = axis_map->weights[o * in + i];
      }
      resized = s.Op("matmul", {s.Reshape(value, {before, in}), s.Constant({in, out}, transposed)});
      if (axis_map->has_offsets) resized = s.Op("add", {resized, s.Constant({out}, axis_map->offsets)});
    } else {
      // [out, in] x [before, in, after], the batch broadcast.
      std::vector<int64_t> operand = {in, after};
      if (before > 1) operand.insert(operand.begin(), before);
      resized = s.Op("matmul", {s.Constant({out, in}, axis_map->weights), s.Reshape(value, operand)});
      if (axis_map->has_offsets) {
        resized = s.Op("add", {resized, s.Constant({out, 1}, axis_map->offsets)});
      }
    }
    shape[d] = out;
    value = s.Reshape(resized, shape);
  }
  return s.Bind(value);
}

}  // namespace kiln::frontend

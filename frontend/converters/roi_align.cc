// RoiAlign (opsets 10 and 16): each region of interest cut into
// output_height x output_width bins, each bin the average (or maximum) of a
// grid of bilinear samples of the feature map, with ONNX Runtime's rules for
// samples near and past the border.
//
// Written with kiln's operators, the regions may change on every run: the
// sample coordinates are elementwise arithmetic on the regions, their four
// neighbours' flat positions and weights a few more steps, and one gather
// of the feature map (channels last) fetches every neighbour of every
// sample before a weighted sum (or maximum). The gathered tensor holds
// regions x bins x samples x 4 x channels values, which the import checks
// against the memory budget like any intermediate.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"
#include "frontend/converters/graph_steps.h"
#include "frontend/memory_budget.h"

namespace kiln::frontend {
namespace {

using runtime::DType;

// Adaptive sampling takes ceil(bin size) samples per axis; a region a
// million pixels across per bin is no feature map's.
constexpr float kMaxSamples = 1 << 20;

// 0, 1, ..., n - 1 as float32, along axis `axis` of a rank-5 shape.
int Iota(GraphSteps& s, int64_t n, int axis) {
  std::vector<int64_t> shape(5, 1);
  shape[axis] = n;
  std::vector<float> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = static_cast<float>(i);
  return s.Constant(shape, v);
}

// One coordinate's sampling along an axis of `size` pixels: the two pixels
// a sample interpolates between and their weights, zero for a sample more
// than one pixel outside the map. Samples below 0 read pixel 0, samples
// past the last pixel read the last.
struct Taps {
  int low, high;         // int64 pixel indices
  int w_low, w_high;     // float32 weights
};

Taps AxisTaps(GraphSteps& s, int coord, int64_t size) {
  const int above = s.Op("greater_equal", {coord, s.Scalar(-1.0f)});
  const int below = s.Op("less_equal", {coord, s.Scalar(static_cast<float>(size))});
  const int inside = s.Op("and", {above, below});
  const int clamped = s.Op("max", {coord, s.Scalar(0.0f)});
  const int floor = s.Op("floor", {clamped});
  const int last = s.Scalar(static_cast<float>(size - 1));
  const int at_edge = s.Op("greater_equal", {floor, last});
  const int low = s.Op("where", {at_edge, last, floor});
  const int high = s.Op("where", {at_edge, last, s.Op("add", {floor, s.Scalar(1.0f)})});
  const int frac = s.Op("where", {at_edge, s.Scalar(0.0f), s.Op("sub", {clamped, floor})});
  const int valid = s.Cast(inside, DType::kFloat32);
  Taps t;
  t.low = s.Cast(low, DType::kInt64);
  t.high = s.Cast(high, DType::kInt64);
  t.w_high = s.Op("mul", {frac, valid});
  t.w_low = s.Op("mul", {s.Op("sub", {s.Scalar(1.0f), frac}), valid});
  return t;
}

absl::Status RoiAlign(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 3));
  const std::vector<int64_t> x = c.InputType(0).shape;
  const std::vector<int64_t> rois = c.InputType(1).shape;
  if (c.InputType(0).dtype != DType::kFloat32 || x.size() != 4 || rois.size() != 2 ||
      rois[1] != 4 || c.InputType(2).shape != std::vector<int64_t>{rois[0]}) {
    return c.Invalid(absl::StrCat("X ", runtime::ShapeToString(x), ", rois ",
                                  runtime::ShapeToString(rois), " and batch_indices ",
                                  runtime::ShapeToString(c.InputType(2).shape),
                                  "; expected float32 [N, C, H, W], [R, 4] and [R]"));
  }
  KILN_ASSIGN(mode, c.AttrString("mode", "avg"));
  if (mode != "avg" && mode != "max") {
    return c.Invalid(absl::StrCat("mode is '", mode, "'; expected avg or max"));
  }
  // Opset 10 had no attribute and behaved as output_half_pixel.
  KILN_ASSIGN(transform, c.AttrString("coordinate_transformation_mode",
                                      c.opset() >= 16 ? "half_pixel" : "output_half_pixel"));
  if (transform != "half_pixel" && transform != "output_half_pixel") {
    return c.Invalid(absl::StrCat("coordinate_transformation_mode is '", transform,
                                  "'; expected half_pixel or output_half_pixel"));
  }
  KILN_ASSIGN(out_h, c.AttrInt("output_height", 1));
  KILN_ASSIGN(out_w, c.AttrInt("output_width", 1));
  KILN_ASSIGN(sampling_ratio, c.AttrInt("sampling_ratio", 0));
  KILN_ASSIGN(spatial_scale, c.AttrFloat("spatial_scale", 1.0));
  if (out_h < 1 || out_w < 1 || sampling_ratio < 0) {
    return c.Invalid(
        "output_height and output_width must be positive, sampling_ratio not negative");
  }
  const int64_t regions = rois[0], channels = x[1], height = x[2], width = x[3];
  const bool half_pixel = transform == "half_pixel";
  const float scale = static_cast<float>(spatial_scale), offset = half_pixel ? 0.5f : 0.0f;

  // Samples per bin along each axis: the ratio, or (ratio 0) enough for
  // each region's bin size, which depends on the regions' values.
  int64_t grid_rows = std::max<int64_t>(1, sampling_ratio);
  int64_t grid_cols = grid_rows;
  std::vector<float> rows_per_region, cols_per_region;
  if (sampling_ratio == 0) {
    KILN_ASSIGN(boxes, c.RequiredConstant(1, "the regions (with sampling_ratio 0)"));
    if (boxes.dtype() != DType::kFloat32) return c.Unsupported("rois other than float32");
    for (int64_t r = 0; r < regions; ++r) {
      const float* b = boxes.data<float>() + 4 * r;
      float roi_w = (b[2] * scale - offset) - (b[0] * scale - offset);
      float roi_h = (b[3] * scale - offset) - (b[1] * scale - offset);
      if (!half_pixel) {
        roi_w = std::max(roi_w, 1.0f);
        roi_h = std::max(roi_h, 1.0f);
      }
      // A region of no extent has no samples; its bins are 0.
      const float gh = std::ceil(roi_h / out_h), gw = std::ceil(roi_w / out_w);
      if (!(gh >= 0 && gh <= kMaxSamples && gw >= 0 && gw <= kMaxSamples)) {
        return c.Invalid(absl::StrCat("region ", r, " [", b[0], ", ", b[1], ", ", b[2], ", ",
                                      b[3], "] needs ", gh, " x ", gw,
                                      " samples per bin; expected finite coordinates and at most ",
                                      kMaxSamples));
      }
      rows_per_region.push_back(gh);
      cols_per_region.push_back(gw);
      grid_rows = std::max<int64_t>(grid_rows, static_cast<int64_t>(gh));
      grid_cols = std::max<int64_t>(grid_cols, static_cast<int64_t>(gw));
    }
  }

  // The gathered neighbours are the largest tensor: checked before any
  // constant of the decomposition is made.
  auto gathered = CheckTensorBytes("RoiAlign's gathered samples",
                                   {regions, out_h, grid_rows, out_w, grid_cols, 4, channels},
                                   DType::kFloat32, c.memory_budget());
  if (!gathered.ok()) return gathered.status();
  // Axes of the sample grid: [region, bin row, sample row, bin col, sample col].
  GraphSteps s(c);
  auto column = [&](int k) {
    const int v = s.Slice(in[1], 1, k, k + 1);
    const int start = s.Reshape(s.Cast(v, DType::kFloat32), {regions, 1, 1, 1, 1});
    return s.Op("sub", {s.Op("mul", {start, s.Scalar(scale)}), s.Scalar(offset)});
  };
  const int x1 = column(0), y1 = column(1), x2 = column(2), y2 = column(3);
  int roi_w = s.Op("sub", {x2, x1}), roi_h = s.Op("sub", {y2, y1});
  if (!half_pixel) {
    roi_w = s.Op("max", {roi_w, s.Scalar(1.0f)});
    roi_h = s.Op("max", {roi_h, s.Scalar(1.0f)});
  }
  const int bin_h = s.Op("div", {roi_h, s.Scalar(static_cast<float>(out_h))});
  const int bin_w = s.Op("div", {roi_w, s.Scalar(static_cast<float>(out_w))});
  int grid_h = s.Scalar(static_cast<float>(grid_rows));
  int grid_w = s.Scalar(static_cast<float>(grid_cols));
  int count = s.Op("mul", {grid_h, grid_w});
  int mask = -1;  // samples past a region's own grid (ratio 0 only)
  const int iy = Iota(s, grid_rows, 2), ix = Iota(s, grid_cols, 4);
  if (sampling_ratio == 0) {
    grid_h = s.Constant({regions, 1, 1, 1, 1}, rows_per_region);
    grid_w = s.Constant({regions, 1, 1, 1, 1}, cols_per_region);
    count = s.Op("max", {s.Op("mul", {grid_h, grid_w}), s.Scalar(1.0f)});
    mask = s.Op("and", {s.Op("less", {iy, grid_h}), s.Op("less", {ix, grid_w})});
  }
  auto sample = [&](int start, int bin, int bins_axis, int64_t bins, int index, int grid) {
    const int centre = s.Op("add", {index, s.Scalar(0.5f)});
    const int within = s.Op("div", {s.Op("mul", {centre, bin}), grid});
    const int at = s.Op("add", {s.Op("mul", {Iota(s, bins, bins_axis), bin}), within});
    return s.Op("add", {start, at});
  };
  const Taps ty = AxisTaps(s, sample(y1, bin_h, 1, out_h, iy, grid_h), height);
  const Taps tx = AxisTaps(s, sample(x1, bin_w, 3, out_w, ix, grid_w), width);

  // The four neighbours: flat row indices into the channels-last map
  // [N * H * W, C], and weights, stacked on a last axis.
  const int base = s.Op("mul", {s.Reshape(s.Cast(in[2], DType::kInt64), {regions, 1, 1, 1, 1}),
                                s.Int64Scalar(height * width)});
  const int w64 = s.Int64Scalar(width);
  std::vector<int> positions, weights;
  for (auto [row, row_weight] : {std::pair<int, int>{ty.low, ty.w_low}, {ty.high, ty.w_high}}) {
    for (auto [col, col_weight] : {std::pair<int, int>{tx.low, tx.w_low}, {tx.high, tx.w_high}}) {
      const int at = s.Op("add", {base, s.Op("add", {s.Op("mul", {row, w64}), col})});
      int weight = s.Op("mul", {row_weight, col_weight});
      if (mask >= 0) weight = s.Op("mul", {weight, s.Cast(mask, DType::kFloat32)});
      std::vector<int64_t> shape = s.Shape(at);
      shape.push_back(1);
      positions.push_back(s.Reshape(at, shape));
      std::vector<int64_t> wshape = s.Shape(weight);
      wshape.push_back(1);
      weights.push_back(s.Reshape(weight, wshape));
    }
  }
  const int position = s.Concat(positions, 5);  // [R, oh, sh, ow, sw, 4]
  const int weight = s.Concat(weights, 5);
  const int map =
      s.Reshape(s.Op("transpose", {in[0]}, {{"perm", std::vector<int64_t>{0, 2, 3, 1}}}),
                {x[0] * height * width, channels});
  const int neighbours = s.Op("gather", {map, position}, {{"axis", int64_t{0}}});
  std::vector<int64_t> weight_shape = s.Shape(weight);
  weight_shape.push_back(1);
  const int weighted = s.Op("mul", {neighbours, s.Reshape(weight, weight_shape)});
  auto reduce = [&](const char* op, int value, std::vector<int64_t> axes) {
    return s.Op(op, {value}, {{"axes", std::move(axes)}, {"keepdims", int64_t{0}}});
  };
  int pooled;  // [R, oh, ow, C]
  if (mode == "avg") {
    pooled = s.Op("div", {reduce("reduce_sum", weighted, {2, 4, 5}),
                          sampling_ratio == 0 ? s.Reshape(count, {regions, 1, 1, 1}) : count});
  } else {
    // ONNX Runtime's maximum: of each sample's largest weighted neighbour.
    int largest = reduce("reduce_max", weighted, {5});  // [R, oh, sh, ow, sw, C]
    if (mask >= 0) {
      std::vector<int64_t> mask_shape = s.Shape(mask);
      mask_shape.push_back(1);
      largest = s.Op("where", {s.Reshape(mask, mask_shape), largest,
                               s.Scalar(-std::numeric_limits<float>::infinity())});
    }
    pooled = reduce("reduce_max", largest, {2, 4});
    if (mask >= 0) {
      const int sampled = s.Op("greater", {s.Op("mul", {grid_h, grid_w}), s.Scalar(0.0f)});
      pooled = s.Op("where", {s.Reshape(sampled, {regions, 1, 1, 1}), pooled, s.Scalar(0.0f)});
    }
  }
  return s.Bind(s.Op("transpose", {pooled}, {{"perm", std::vector<int64_t>{0, 3, 1, 2}}}));
}

KILN_REGISTER_ONNX_CONVERTER(RoiAlign, 10, kLatestOpset, RoiAlign);

}  // namespace
}  // namespace kiln::frontend

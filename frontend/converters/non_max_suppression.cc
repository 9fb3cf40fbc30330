// NonMaxSuppression (opsets 10 and 11): per batch and class, boxes taken by
// descending score (the lower index first among equal scores) above
// score_threshold, each kept unless its intersection over union with a box
// already kept exceeds iou_threshold, up to max_output_boxes_per_class.
//
// The number of selected boxes decides the output's shape, and kiln plans
// memory at compile time, so boxes and scores must be known then (constants,
// or graph inputs bound with --input_values, checked on every run) and the
// selection folds to a constant, as NonZero does.
#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"

namespace kiln::frontend {
namespace {

using Box = std::array<float, 4>;  // y_min, x_min, y_max, x_max

// Corners from either box encoding, ordered so that min <= max (corner
// boxes may give their diagonal in either direction).
Box Corners(const float* b, bool center_point) {
  if (center_point) {  // [x_center, y_center, width, height]
    const float half_w = b[2] / 2, half_h = b[3] / 2;
    return {b[1] - half_h, b[0] - half_w, b[1] + half_h, b[0] + half_w};
  }
  return {std::min(b[0], b[2]), std::min(b[1], b[3]), std::max(b[0], b[2]),
          std::max(b[1], b[3])};
}

// Whether `a` and `b` overlap by more than `threshold` of their union;
// degenerate boxes (no area) never suppress.
bool Overlaps(const Box& a, const Box& b, float threshold) {
  const float y0 = std::max(a[0], b[0]), x0 = std::max(a[1], b[1]);
  const float y1 = std::min(a[2], b[2]), x1 = std::min(a[3], b[3]);
  if (y1 <= y0 || x1 <= x0) return false;
  const float intersection = (y1 - y0) * (x1 - x0);
  const float area_a = (a[2] - a[0]) * (a[3] - a[1]);
  const float area_b = (b[2] - b[0]) * (b[3] - b[1]);
  const float union_area = area_a + area_b - intersection;
  if (area_a <= 0 || area_b <= 0 || union_area <= 0) return false;
  return intersection / union_area > threshold;
}

// A scalar operand `i` (one element) as a float, or `fallback` when absent.
absl::StatusOr<float> OptionalScalar(ImportContext& c, int i, const char* what, float fallback) {
  if (!c.HasInput(i)) return fallback;
  KILN_ASSIGN(a, c.RequiredConstant(i, what));
  if (a.NumElements() != 1 || a.dtype() != runtime::DType::kFloat32) {
    return c.Invalid(absl::StrCat(what, " is a ", runtime::DTypeName(a.dtype()), " tensor of ",
                                  a.NumElements(), " elements; expected one float32"));
  }
  return a.data<float>()[0];
}

absl::Status NonMaxSuppression(ImportContext& c) {
  KILN_ASSIGN(center_point_box, c.AttrInt("center_point_box", 0));
  if (center_point_box != 0 && center_point_box != 1) {
    return c.Invalid(absl::StrCat("center_point_box is ", center_point_box, "; expected 0 or 1"));
  }
  KILN_ASSIGN(boxes, c.RequiredConstant(0, "the boxes"));
  KILN_ASSIGN(scores, c.RequiredConstant(1, "the scores"));
  const std::vector<int64_t>& bs = boxes.shape();
  const std::vector<int64_t>& ss = scores.shape();
  if (boxes.dtype() != runtime::DType::kFloat32 || scores.dtype() != runtime::DType::kFloat32 ||
      bs.size() != 3 || bs[2] != 4 || ss.size() != 3 || ss[0] != bs[0] || ss[2] != bs[1]) {
    return c.Invalid(absl::StrCat("boxes ", runtime::ShapeToString(bs), " and scores ",
                                  runtime::ShapeToString(ss),
                                  "; expected float32 [batches, boxes, 4] and "
                                  "[batches, classes, boxes]"));
  }
  int64_t max_per_class = 0;
  if (c.HasInput(2)) {
    KILN_ASSIGN(limit, c.ConstantInts(2, "max_output_boxes_per_class"));
    if (limit.size() != 1) return c.Invalid("max_output_boxes_per_class must be one value");
    max_per_class = std::max<int64_t>(0, limit[0]);
  }
  KILN_ASSIGN(iou_threshold, OptionalScalar(c, 3, "iou_threshold", 0.0f));
  const bool has_score_threshold = c.HasInput(4);
  KILN_ASSIGN(score_threshold, OptionalScalar(c, 4, "score_threshold", 0.0f));

  const int64_t batches = bs[0], count = bs[1], classes = ss[1];
  std::vector<Box> corners(count);
  std::vector<int64_t> selected;  // (batch, class, box) triples
  std::vector<int64_t> order(count);
  for (int64_t b = 0; b < batches; ++b) {
    for (int64_t i = 0; i < count; ++i) {
      corners[i] = Corners(boxes.data<float>() + (b * count + i) * 4, center_point_box == 1);
    }
    for (int64_t k = 0; k < classes; ++k) {
      const float* score = scores.data<float>() + (b * classes + k) * count;
      order.clear();
      for (int64_t i = 0; i < count; ++i) {
        // A NaN score is below every threshold (and could not be ordered).
        if (!std::isnan(score[i]) && (!has_score_threshold || score[i] > score_threshold)) {
          order.push_back(i);
        }
      }
      std::stable_sort(order.begin(), order.end(),
                       [&](int64_t x, int64_t y) { return score[x] > score[y]; });
      std::vector<int64_t> kept;
      for (int64_t i : order) {
        if (static_cast<int64_t>(kept.size()) >= max_per_class) break;
        const bool suppressed = std::any_of(kept.begin(), kept.end(), [&](int64_t j) {
          return Overlaps(corners[i], corners[j], iou_threshold);
        });
        if (suppressed) continue;
        kept.push_back(i);
        selected.insert(selected.end(), {b, k, i});
      }
    }
  }
  const int64_t rows = selected.size() / 3;
  KILN_ASSIGN(result, graph::NDArray::Empty({rows, 3}, runtime::DType::kInt64));
  std::copy(selected.begin(), selected.end(), result.data<int64_t>());
  c.EmitConstant(std::move(result));
  return absl::OkStatus();
}

KILN_REGISTER_ONNX_CONVERTER(NonMaxSuppression, 10, kLatestOpset, NonMaxSuppression);

}  // namespace
}  // namespace kiln::frontend

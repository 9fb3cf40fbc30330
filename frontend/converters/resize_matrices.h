// Resize as one interpolation matrix per resized axis. Every ONNX resize is
// separable and linear in its input: along each axis an output element is a
// weighted sum of input elements (nearest: one weight; linear: two; cubic:
// four), plus a constant where tf_crop_and_resize extrapolates. Writing the
// weights as a constant [out, in] matrix turns the cases kiln's resize
// kernel does not implement (cubic, exclude_outside, tf_crop_and_resize)
// into matmuls, which compile, with the weights computed here exactly as
// ONNX defines them. The matmul does in*out work per row where a gather
// would do 4, so the resize kernel stays the path for nearest and linear.
#ifndef KILN_FRONTEND_CONVERTERS_RESIZE_MATRICES_H_
#define KILN_FRONTEND_CONVERTERS_RESIZE_MATRICES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "frontend/onnx_context.h"

namespace kiln::frontend {

struct ResizeSpec {
  std::string mode;                   // nearest, linear, cubic
  std::string coordinate_transformation_mode;
  std::string nearest_mode;
  double cubic_coeff_a = -0.75;
  bool exclude_outside = false;
  double extrapolation_value = 0;     // tf_crop_and_resize only
  std::vector<double> scales;         // per axis of the input
  std::vector<int64_t> sizes;         // per axis of the output
  std::vector<double> roi;            // 2 * rank: starts, then ends (tf_crop_and_resize)
};

// The weights of one axis: weights[o * in + i] for output o and input i,
// and for each output the constant it adds (extrapolation), or an error
// naming what is wrong with the spec.
struct AxisInterpolation {
  std::vector<float> weights;
  std::vector<float> offsets;
  bool has_offsets = false;
};
absl::StatusOr<AxisInterpolation> InterpolationAlongAxis(const ResizeSpec& spec, int64_t axis,
                                                         int64_t in);

// Converts the current Resize node with `spec` into matmuls.
absl::Status EmitResizeByMatrices(ImportContext& c, const ResizeSpec& spec);

}  // namespace kiln::frontend

#endif  // KILN_FRONTEND_CONVERTERS_RESIZE_MATRICES_H_

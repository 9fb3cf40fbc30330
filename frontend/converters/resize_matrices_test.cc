#include "frontend/converters/resize_matrices.h"

#include <cmath>

#include "gtest/gtest.h"

namespace kiln::frontend {
namespace {

ResizeSpec OneAxis(const std::string& mode, const std::string& coord, double scale, int64_t out) {
  ResizeSpec spec;
  spec.mode = mode;
  spec.coordinate_transformation_mode = coord;
  spec.nearest_mode = "round_prefer_floor";
  spec.scales = {scale};
  spec.sizes = {out};
  return spec;
}

// Interpolation reproduces constants: every row of weights sums to one, for
// every mode, coordinate mode and awkward length.
TEST(ResizeMatricesTest, RowsSumToOne) {
  for (const char* mode : {"nearest", "linear", "cubic"}) {
    for (const char* coord : {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
                              "tf_half_pixel_for_nn"}) {
      for (int64_t in : {1, 2, 5, 7}) {
        for (int64_t out : {1, 3, 8, 13}) {
          for (bool exclude : {false, true}) {
            ResizeSpec spec = OneAxis(mode, coord, static_cast<double>(out) / in, out);
            spec.exclude_outside = exclude;
            auto m = InterpolationAlongAxis(spec, 0, in);
            ASSERT_TRUE(m.ok()) << m.status();
            for (int64_t o = 0; o < out; ++o) {
              double sum = 0;
              for (int64_t i = 0; i < in; ++i) sum += m->weights[o * in + i];
              EXPECT_NEAR(sum, 1.0, 1e-5) << mode << " " << coord << " " << in << "->" << out
                                          << " row " << o;
            }
          }
        }
      }
    }
  }
}

// A point on an input element takes that element alone; cubic at a
// half-way point takes Keys' weights (a = -0.75: -0.09375, 0.59375, ...).
TEST(ResizeMatricesTest, CubicWeightsAtKnownPoints) {
  ResizeSpec spec = OneAxis("cubic", "asymmetric", 2.0, 16);
  auto m = InterpolationAlongAxis(spec, 0, 8);
  ASSERT_TRUE(m.ok());
  // Output 6 is input 3 exactly; output 7 is half-way between 3 and 4.
  for (int64_t i = 0; i < 8; ++i) EXPECT_FLOAT_EQ(m->weights[6 * 8 + i], i == 3 ? 1.0f : 0.0f);
  EXPECT_FLOAT_EQ(m->weights[7 * 8 + 2], -0.09375f);
  EXPECT_FLOAT_EQ(m->weights[7 * 8 + 3], 0.59375f);
  EXPECT_FLOAT_EQ(m->weights[7 * 8 + 4], 0.59375f);
  EXPECT_FLOAT_EQ(m->weights[7 * 8 + 5], -0.09375f);
}

// tf_crop_and_resize extrapolates outside the crop box instead of
// repeating the edge.
TEST(ResizeMatricesTest, CropAndResizeExtrapolatesOutsideTheInput) {
  ResizeSpec spec = OneAxis("linear", "tf_crop_and_resize", 1.0, 4);
  spec.roi = {-0.5, 1.5};
  spec.extrapolation_value = 10;
  auto m = InterpolationAlongAxis(spec, 0, 4);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->has_offsets);
  EXPECT_EQ(m->offsets[0], 10.0f);  // at -1.5
  EXPECT_EQ(m->offsets[3], 10.0f);  // at 4.5
  EXPECT_FLOAT_EQ(m->weights[1 * 4 + 0] + m->weights[1 * 4 + 1], 1.0f);  // at 0.5
}

}  // namespace
}  // namespace kiln::frontend

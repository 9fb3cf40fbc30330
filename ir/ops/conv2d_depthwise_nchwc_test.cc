#include "ir/ops/conv2d_depthwise_nchwc.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ir/ops/layout.h"
#include "ir/ops/testing/op_test_util.h"
#include "ir/ops/testing/reference_ops.h"

namespace kiln::ir::ops {
namespace {

using testing::RandomFloats;

void CheckDepthwise(const Conv2dWorkload& w, int64_t block, const DepthwiseConfig& config,
                    const targets::Target& target) {
  const std::string what = w.ToString() + " block " + std::to_string(block) + " tile_ow " +
                           std::to_string(config.tile_ow) + " on " + target.ToString();
  const int64_t oh = w.out_height(), ow = w.out_width();
  auto data = RandomFloats(w.batch * w.in_channels * w.height * w.width, 1);
  auto weight = RandomFloats(w.in_channels * w.kernel_h * w.kernel_w, 2);
  auto bias = RandomFloats(w.out_channels, 3);
  auto residual = RandomFloats(w.batch * w.out_channels * oh * ow, 4);
  const std::vector<float> want = PackNCHWc(
      testing::ReferenceConv2d(w, w.in_channels, data, weight, bias, residual), w.batch,
      w.out_channels, oh, ow, block);
  std::vector<std::vector<float>> buffers = {
      PackNCHWc(data, w.batch, w.in_channels, w.height, w.width, block),
      PackDepthwiseWeight(weight.data(), w.in_channels, w.kernel_h, w.kernel_w, block)};
  if (w.bias) buffers.push_back(bias);
  if (w.residual) buffers.push_back(PackNCHWc(residual, w.batch, w.out_channels, oh, ow, block));
  buffers.emplace_back(want.size(), 0.0f);
  auto f = BuildDepthwiseConv2dNCHWc(w, block, config, "depthwise");
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_TRUE(testing::CompileAndRun(*f, target, buffers).ok()) << what;
  testing::ExpectAllNear(buffers.back(), want, 1e-4f, what);
}

TEST(DepthwiseConv2dNCHWcTest, MatchesTheGroupedReferenceOnAwkwardShapes) {
  Conv2dWorkload a;  // MobileNet's 3x3 with padding, odd sizes, bias and ReLU
  a.in_channels = a.out_channels = 24, a.height = 7, a.width = 9;
  a.kernel_h = a.kernel_w = 3, a.pad_h = a.pad_w = 1;
  a.bias = true, a.activation = Activation::kRelu;
  Conv2dWorkload b = a;  // stride 2, dilation 2, uneven padding per axis, a residual
  b.stride_h = b.stride_w = 2, b.dilation_h = 2, b.pad_h = 2, b.pad_w = 1;
  b.bias = false, b.residual = true, b.activation = Activation::kNone;
  Conv2dWorkload c;  // 5x5 without padding, batch 2, channels not a multiple of the vector
  c.batch = 2, c.in_channels = c.out_channels = 12, c.height = 11, c.width = 6;
  c.kernel_h = c.kernel_w = 5;
  for (const targets::Target& target : testing::RunnableTargets()) {
    for (const Conv2dWorkload& w : {a, b, c}) {
      const int64_t block = DepthwiseBlock(w.in_channels, target);
      CheckDepthwise(w, block, DefaultDepthwiseConfig(w, block, target), target);
      // Tiles that leave a partial last tile, and blocks below a vector.
      CheckDepthwise(w, 4, {3}, target);
      CheckDepthwise(w, w.in_channels % 8 == 0 ? 8 : 3, {1}, target);
    }
  }
}

TEST(DepthwiseConv2dNCHWcTest, RefusesWhatIsNotDepthwise) {
  Conv2dWorkload w;
  w.in_channels = 8, w.out_channels = 16, w.height = w.width = 4, w.kernel_h = w.kernel_w = 3;
  const targets::Target target = testing::RunnableTargets()[0];
  EXPECT_EQ(BuildDepthwiseConv2dNCHWc(w, 8, {4}, "f").status().code(),
            absl::StatusCode::kInvalidArgument);
  w.out_channels = 8;
  EXPECT_EQ(BuildDepthwiseConv2dNCHWc(w, 3, {4}, "f").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildDepthwiseConv2dNCHWc(w, 8, {0}, "f").status().code(),
            absl::StatusCode::kInvalidArgument);
}

// A pixel of a block two vectors wide takes two accumulators: the default
// row tile halves so that the tile still takes at most half the registers.
TEST(DepthwiseConv2dNCHWcTest, DefaultTileFitsTheRegistersForAnyBlock) {
  Conv2dWorkload w;
  w.in_channels = w.out_channels = 96, w.height = w.width = 112;
  w.kernel_h = w.kernel_w = 3, w.pad_h = w.pad_w = 1;
  for (const targets::Target& target : testing::RunnableTargets()) {
    for (int64_t vectors : {1, 2}) {
      const int64_t tile =
          DefaultDepthwiseConfig(w, vectors * target.vector_lanes, target).tile_ow;
      EXPECT_GE(tile, 4);
      EXPECT_LE(tile * vectors, target.vector_registers / 2);
    }
  }
}

}  // namespace
}  // namespace kiln::ir::ops

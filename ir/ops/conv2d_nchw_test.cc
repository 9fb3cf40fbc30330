#include "ir/ops/conv2d_nchw.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ir/ops/layout.h"
#include "ir/ops/testing/op_test_util.h"
#include "ir/ops/testing/reference_ops.h"

namespace kiln::ir::ops {
namespace {

using testing::RandomFloats;

Conv2dWorkload Make(int64_t c, int64_t h, int64_t w, int64_t oc, int64_t k, int64_t stride,
                    int64_t pad, int64_t dilation) {
  Conv2dWorkload x;
  x.batch = 2, x.in_channels = c, x.height = h, x.width = w, x.out_channels = oc;
  x.kernel_h = x.kernel_w = k, x.stride_h = x.stride_w = stride, x.pad_h = x.pad_w = pad;
  x.dilation_h = x.dilation_w = dilation;
  return x;
}

TEST(Conv2dNCHWTest, GroupedDepthwiseDilatedAndStemLike) {
  struct Case {
    Conv2dWorkload w;
    int64_t groups;
  };
  Conv2dWorkload stem = Make(3, 19, 17, 8, 7, 2, 3, 1);
  stem.bias = true, stem.activation = Activation::kRelu;
  const std::vector<Case> cases = {
      {stem, 1},
      {Make(6, 9, 11, 4, 3, 1, 1, 1), 2},   // grouped
      {Make(5, 8, 8, 5, 3, 2, 1, 1), 5},    // depthwise, stride 2
      {Make(4, 10, 9, 6, 3, 1, 2, 2), 2},   // dilated
  };
  for (const targets::Target& target : testing::RunnableTargets()) {
    for (const Case& c : cases) {
      const Conv2dWorkload& w = c.w;
      auto data = RandomFloats(w.batch * w.in_channels * w.height * w.width, 1);
      auto weight =
          RandomFloats(w.out_channels * (w.in_channels / c.groups) * w.kernel_h * w.kernel_w, 2);
      auto bias = RandomFloats(w.out_channels, 3);
      auto want = testing::ReferenceConv2d(w, c.groups, data, weight, bias, {});
      auto f = BuildConv2dNCHW(w, c.groups, target, "conv");
      ASSERT_TRUE(f.ok()) << f.status();
      std::vector<std::vector<float>> buffers = {data, weight};
      if (w.bias) buffers.push_back(bias);
      buffers.emplace_back(want.size());
      ASSERT_TRUE(testing::CompileAndRun(*f, target, buffers).ok());
      testing::ExpectAllNear(buffers.back(), want, 1e-4f, w.ToString());
    }
  }
}

TEST(Conv2dNCHWTest, DepthwiseInBlockedLayout) {
  Conv2dWorkload w = Make(16, 9, 13, 16, 3, 1, 1, 1);
  w.bias = true, w.activation = Activation::kRelu;
  const int64_t bn = 8, oh = w.out_height(), ow = w.out_width();
  auto data = RandomFloats(w.batch * 16 * 9 * 13, 4);
  auto weight = RandomFloats(16 * 3 * 3, 5);
  auto bias = RandomFloats(16, 6);
  auto want = testing::ReferenceConv2d(w, 16, data, weight, bias, {});
  // [C, 1, KH, KW] -> [C/bn, KH, KW, bn]
  std::vector<float> packed_weight(weight.size());
  for (int64_t c = 0; c < 16; ++c)
    for (int64_t k = 0; k < 9; ++k) packed_weight[((c / bn) * 9 + k) * bn + c % bn] = weight[c * 9 + k];
  for (const targets::Target& target : testing::RunnableTargets()) {
    auto f = BuildDepthwiseConv2dNCHWc(w, bn, target, "dw");
    ASSERT_TRUE(f.ok()) << f.status();
    std::vector<std::vector<float>> buffers = {PackNCHWc(data, w.batch, 16, 9, 13, bn),
                                               packed_weight, bias,
                                               std::vector<float>(want.size())};
    ASSERT_TRUE(testing::CompileAndRun(*f, target, buffers).ok());
    testing::ExpectAllNear(UnpackNCHWc(buffers.back(), w.batch, 16, oh, ow, bn), want, 1e-4f,
                           "depthwise");
  }
}

TEST(Conv2dNCHWTest, TransposedConvolution) {
  Conv2dTransposeWorkload w;
  w.in_channels = 3, w.height = 4, w.width = 5, w.out_channels = 2;
  w.kernel_h = 3, w.kernel_w = 4, w.stride_h = 2, w.stride_w = 3, w.pad_h = 1, w.pad_w = 0;
  w.output_pad_h = 1;
  const int64_t oh = w.out_height(), ow = w.out_width();
  auto data = RandomFloats(3 * 4 * 5, 7), weight = RandomFloats(3 * 2 * 3 * 4, 8);
  // Scatter form: every input pixel adds kernel * value to a window.
  std::vector<float> want(2 * oh * ow, 0.0f);
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t y = 0; y < 4; ++y)
      for (int64_t x = 0; x < 5; ++x)
        for (int64_t o = 0; o < 2; ++o)
          for (int64_t ky = 0; ky < 3; ++ky)
            for (int64_t kx = 0; kx < 4; ++kx) {
              const int64_t oy = y * 2 + ky - 1, ox = x * 3 + kx;
              if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
              want[(o * oh + oy) * ow + ox] +=
                  data[(c * 4 + y) * 5 + x] * weight[((c * 2 + o) * 3 + ky) * 4 + kx];
            }
  for (const targets::Target& target : testing::RunnableTargets()) {
    auto f = BuildConv2dTranspose(w, target, "deconv");
    ASSERT_TRUE(f.ok()) << f.status();
    std::vector<std::vector<float>> buffers = {data, weight, std::vector<float>(want.size())};
    ASSERT_TRUE(testing::CompileAndRun(*f, target, buffers).ok());
    testing::ExpectAllNear(buffers.back(), want, 1e-4f, "conv2d_transpose");
  }
}

TEST(Conv2dNCHWTest, LayoutKernelsRoundTrip) {
  const int64_t n = 2, c = 24, h = 3, w = 5, bn = 8;
  auto x = RandomFloats(n * c * h * w, 9);
  for (const targets::Target& target : testing::RunnableTargets()) {
    auto pack = BuildPackNCHWc(n, c, h, w, bn, target, "pack");
    auto unpack = BuildUnpackNCHWc(n, c, h, w, bn, target, "unpack");
    ASSERT_TRUE(pack.ok() && unpack.ok());
    std::vector<std::vector<float>> p = {x, std::vector<float>(x.size())};
    ASSERT_TRUE(testing::CompileAndRun(*pack, target, p).ok());
    testing::ExpectAllNear(p[1], PackNCHWc(x, n, c, h, w, bn), 0.0f, "pack");
    std::vector<std::vector<float>> u = {p[1], std::vector<float>(x.size())};
    ASSERT_TRUE(testing::CompileAndRun(*unpack, target, u).ok());
    testing::ExpectAllNear(u[1], x, 0.0f, "unpack");
  }
  EXPECT_FALSE(BuildPackNCHWc(1, 10, 2, 2, 4, testing::RunnableTargets()[0], "bad").ok());
}

TEST(Conv2dNCHWTest, InvalidGroupsAreErrors) {
  EXPECT_FALSE(BuildConv2dNCHW(Make(6, 5, 5, 4, 3, 1, 1, 1), 4, testing::RunnableTargets()[0],
                               "bad")
                   .ok());
}

}  // namespace
}  // namespace kiln::ir::ops

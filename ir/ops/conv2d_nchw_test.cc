#include "ir/ops/conv2d_nchw.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
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

TEST(Conv2dNCHWTest, InvalidGroupsAreErrors) {
  EXPECT_FALSE(BuildConv2dNCHW(Make(6, 5, 5, 4, 3, 1, 1, 1), 4, testing::RunnableTargets()[0],
                               "bad")
                   .ok());
}

}  // namespace
}  // namespace kiln::ir::ops

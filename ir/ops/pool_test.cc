#include "ir/ops/pool.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "gtest/gtest.h"
#include "ir/ops/testing/op_test_util.h"

namespace kiln::ir::ops {
namespace {

using testing::RandomFloats;

// Plain pooling over an NCHW[x]c buffer.
std::vector<float> Reference(const Pool2dWorkload& w, const std::vector<float>& x) {
  const int64_t oh = w.out_height(), ow = w.out_width();
  std::vector<float> out(w.batch * w.channel_chunks * oh * ow * w.block);
  for (int64_t n = 0; n < w.batch * w.channel_chunks; ++n)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t z = 0; z < ow; ++z)
        for (int64_t c = 0; c < w.block; ++c) {
          float best = -std::numeric_limits<float>::infinity();
          double sum = 0;
          int count = 0;
          for (int64_t ky = 0; ky < w.kernel_h; ++ky)
            for (int64_t kx = 0; kx < w.kernel_w; ++kx) {
              const int64_t iy = y * w.stride_h + ky - w.pad_top;
              const int64_t ix = z * w.stride_w + kx - w.pad_left;
              const bool in_padded = iy < w.height + w.pad_bottom && ix < w.width + w.pad_right;
              if (w.count_include_pad && in_padded) ++count;
              if (iy < 0 || iy >= w.height || ix < 0 || ix >= w.width) continue;
              if (!w.count_include_pad) ++count;
              const float v = x[((n * w.height + iy) * w.width + ix) * w.block + c];
              best = std::max(best, v);
              sum += v;
            }
          out[((n * oh + y) * ow + z) * w.block + c] =
              w.kind == PoolKind::kMax ? best : static_cast<float>(sum / count);
        }
  return out;
}

void Check(const Pool2dWorkload& w) {
  auto x = RandomFloats(w.batch * w.channel_chunks * w.height * w.width * w.block, 9);
  auto want = Reference(w, x);
  for (const targets::Target& target : testing::RunnableTargets()) {
    auto f = BuildPool2d(w, target, "pool");
    ASSERT_TRUE(f.ok()) << f.status();
    std::vector<std::vector<float>> buffers = {x, std::vector<float>(want.size())};
    ASSERT_TRUE(testing::CompileAndRun(*f, target, buffers).ok());
    testing::ExpectAllNear(buffers.back(), want, 1e-5f, target.ToString());
  }
}

TEST(PoolTest, MaxPoolLikeTheResNetStem) {
  Pool2dWorkload w;
  w.channel_chunks = 2, w.height = w.width = 9, w.block = 8;
  w.kernel_h = w.kernel_w = 3, w.stride_h = w.stride_w = 2;
  w.pad_top = w.pad_left = w.pad_bottom = w.pad_right = 1;
  Check(w);
}

TEST(PoolTest, AveragePoolVariants) {
  for (bool include_pad : {false, true}) {
    for (bool ceil_mode : {false, true}) {
      Pool2dWorkload w;
      w.kind = PoolKind::kAverage;
      w.channel_chunks = 1, w.height = 6, w.width = 7, w.block = 3;
      w.kernel_h = 3, w.kernel_w = 2, w.stride_h = 2, w.stride_w = 2;
      w.pad_top = 1, w.pad_left = 1, w.pad_bottom = 1, w.pad_right = 0;
      w.count_include_pad = include_pad, w.ceil_mode = ceil_mode;
      SCOPED_TRACE(std::to_string(include_pad) + " " + std::to_string(ceil_mode));
      Check(w);
    }
  }
}

// ONNX's maxpool_2d_ceil / averagepool_2d_ceil: one channel (block 1), the
// last window hanging over the edge.
TEST(PoolTest, CeilModeWithoutBlocks) {
  for (PoolKind kind : {PoolKind::kMax, PoolKind::kAverage}) {
    Pool2dWorkload w;
    w.kind = kind;
    w.height = w.width = 4;
    w.kernel_h = w.kernel_w = 3, w.stride_h = w.stride_w = 2;
    w.ceil_mode = true;
    Check(w);
  }
}

TEST(PoolTest, BadWindowsAreErrors) {
  Pool2dWorkload w;
  w.height = w.width = 4, w.kernel_h = w.kernel_w = 2, w.pad_top = 2;
  EXPECT_FALSE(BuildPool2d(w, testing::RunnableTargets()[0], "pool").ok());
  w.pad_top = 0, w.kernel_h = 9;
  EXPECT_FALSE(BuildPool2d(w, testing::RunnableTargets()[0], "pool").ok());
}

}  // namespace
}  // namespace kiln::ir::ops

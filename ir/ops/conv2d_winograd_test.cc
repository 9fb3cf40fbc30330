#include "ir/ops/conv2d_winograd.h"

#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/ops/layout.h"
#include "ir/ops/testing/op_test_util.h"
#include "ir/ops/testing/reference_ops.h"

namespace kiln::ir::ops {
namespace {

using ::testing::HasSubstr;
using testing::RandomFloats;

Conv2dWorkload Make(int64_t ic, int64_t h, int64_t w, int64_t oc, int64_t pad) {
  Conv2dWorkload x;
  x.in_channels = ic, x.height = h, x.width = w, x.out_channels = oc;
  x.kernel_h = x.kernel_w = 3, x.pad_h = x.pad_w = pad;
  return x;
}

// Output sizes that are and are not multiples of the tile, no padding and
// padding 2, a single tile, channel counts off the vector width, batch 2,
// and every epilogue.
std::vector<Conv2dWorkload> AwkwardWorkloads() {
  std::vector<Conv2dWorkload> out;
  Conv2dWorkload a = Make(8, 14, 14, 16, 1);
  a.bias = true, a.activation = Activation::kRelu;
  out.push_back(a);
  Conv2dWorkload b = Make(6, 7, 9, 20, 1);
  b.residual = true;
  out.push_back(b);
  Conv2dWorkload c = Make(16, 9, 6, 8, 0);
  c.batch = 2, c.bias = true, c.residual = true, c.activation = Activation::kRelu;
  out.push_back(c);
  out.push_back(Make(4, 2, 3, 8, 2));
  out.push_back(Make(3, 3, 3, 5, 0));  // one output pixel
  return out;
}

void CheckWinograd(const Conv2dWorkload& w, Conv2dNCHWcConfig c,
                   const targets::Target& target) {
  const std::string what = w.ToString() + " on " + target.ToString() + " m=" +
                           std::to_string(c.winograd_tile) + " ic_bn=" +
                           std::to_string(c.ic_bn) + " oc_bn=" + std::to_string(c.oc_bn) +
                           " tile_ow=" + std::to_string(c.tile_ow);
  const int64_t oh = w.out_height(), ow = w.out_width();
  auto data = RandomFloats(w.batch * w.in_channels * w.height * w.width, 1);
  auto weight = RandomFloats(w.out_channels * w.in_channels * 9, 2);
  auto bias = RandomFloats(w.out_channels, 3);
  auto residual = RandomFloats(w.batch * w.out_channels * oh * ow, 4);
  const std::vector<float> want =
      PackNCHWc(testing::ReferenceConv2d(w, 1, data, weight, bias, residual), w.batch,
                w.out_channels, oh, ow, c.oc_bn);
  auto u = TransformWinogradWeights(weight, w.out_channels, w.in_channels, c.winograd_tile,
                                    c.ic_bn, c.oc_bn);
  ASSERT_TRUE(u.ok()) << u.status();
  std::vector<std::vector<float>> buffers;
  buffers.push_back(PackNCHWc(data, w.batch, w.in_channels, w.height, w.width, c.ic_bn));
  buffers.push_back(*u);
  if (w.bias) buffers.push_back(bias);
  if (w.residual) buffers.push_back(PackNCHWc(residual, w.batch, w.out_channels, oh, ow, c.oc_bn));
  buffers.emplace_back(want.size(), 0.0f);
  auto f = BuildConv2dWinogradNCHWc(w, c, "conv");
  ASSERT_TRUE(f.ok()) << what << ": " << f.status();
  ASSERT_TRUE(testing::CompileAndRun(*f, target, buffers).ok()) << what;
  // Up to 9 * 16 products of values in [-1, 1] per output; F(4x4)'s
  // transforms cost a few more bits than the direct sum.
  testing::ExpectAllNear(buffers.back(), want, 2e-4f, what);
}

TEST(Conv2dWinogradTest, MatchesTheDirectReferenceForBothTilesAndSeveralBlocks) {
  for (const targets::Target& target : testing::RunnableTargets()) {
    for (const Conv2dWorkload& w : AwkwardWorkloads()) {
      for (int64_t m : {2, 4}) {
        Conv2dNCHWcConfig c;
        c.winograd_tile = m;
        c.ic_bn = w.in_channels % 8 == 0 ? 8 : w.in_channels;
        c.oc_bn = w.out_channels % 8 == 0 ? 8 : w.out_channels;
        c.tile_ow = DefaultWinogradRegisterTiles(WinogradTiles(w, m), c.oc_bn, target.vector_lanes,
                                               target.vector_registers);
        CheckWinograd(w, c, target);
        // A register block that leaves a remainder, blocks of 4 / 2 channels
        // and groups of them in the GEMMs.
        c.tile_ow = 3;
        c.oc_group = 4;
        c.ic_bn = w.in_channels % 4 == 0 ? 4 : 1;
        c.oc_bn = w.out_channels % 2 == 0 ? 2 : 1;
        CheckWinograd(w, c, target);
      }
    }
  }
}

TEST(Conv2dWinogradTest, StoredTilesKeepChannelBlocksOffFourKilobyteStrides) {
  // 160x160 and 256x256 outputs in F(4x4) tiles, blocks of 8 and 16 floats.
  for (int64_t tiles : {1600, 4096, 72, 1599, 1}) {
    for (auto [ic_bn, oc_bn] : {std::pair<int64_t, int64_t>{16, 16}, {8, 16}, {8, 8}, {1, 4}}) {
      const int64_t stored = WinogradStoredTiles(tiles, ic_bn, oc_bn);
      EXPECT_GE(stored, tiles);
      EXPECT_LT(stored, tiles + 8);
      for (int64_t bn : {ic_bn, oc_bn}) {
        EXPECT_LE(std::gcd(stored * bn * 4, int64_t{4096}), 128)
            << tiles << " tiles, block " << bn << ": stored " << stored;
      }
    }
  }
  EXPECT_EQ(WinogradStoredTiles(1599, 16, 16), 1599);
  // AwkwardWorkloads()[4] (15x17) in F(2x2) tiles stores one copy of its
  // last tile, which the reference test above checks.
  EXPECT_EQ(WinogradStoredTiles(72, 8, 8), 73);
  // Blocks of 64 floats are 256 bytes: the least aligned count in reach.
  EXPECT_EQ(WinogradStoredTiles(64, 64, 64), 65);
}

TEST(Conv2dWinogradTest, Avx512CodeCompilesOnAnyHost) {
  const targets::Target target = testing::Avx512Target();
  Conv2dNCHWcConfig c;
  c.winograd_tile = 4, c.ic_bn = 16, c.oc_bn = 16, c.tile_ow = 6;
  auto f = BuildConv2dWinogradNCHWc(Make(32, 14, 14, 32, 1), c, "conv");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE(testing::CompileOnly(*f, target).ok());
}

TEST(Conv2dWinogradTest, InvalidInputsAreErrors) {
  Conv2dNCHWcConfig c;
  c.winograd_tile = 4, c.ic_bn = 8, c.oc_bn = 8, c.tile_ow = 4;
  Conv2dWorkload strided = Make(8, 8, 8, 8, 1);
  strided.stride_h = 2;
  EXPECT_FALSE(WinogradApplies(strided));
  EXPECT_THAT(BuildConv2dWinogradNCHWc(strided, c, "bad").status().message(),
              HasSubstr("stride-1"));
  c.winograd_tile = 3;
  EXPECT_THAT(BuildConv2dWinogradNCHWc(Make(8, 8, 8, 8, 1), c, "bad").status().message(),
              HasSubstr("expected 2 or 4"));
  c.winograd_tile = 2;
  c.ic_bn = 3;
  EXPECT_THAT(BuildConv2dWinogradNCHWc(Make(8, 8, 8, 8, 1), c, "bad").status().message(),
              HasSubstr("must divide"));
  EXPECT_FALSE(TransformWinogradWeights(std::vector<float>(10), 8, 8, 2, 8, 8).ok());
}

// U = G g G^T recovers the filter through A^T (U . (B^T d B)) A: a 1-channel
// check of the matrices themselves, independent of the kernel.
TEST(Conv2dWinogradTest, MatricesComputeACorrelation) {
  for (int64_t m : {2, 4}) {
    auto x = WinogradMatricesFor(m);
    ASSERT_TRUE(x.ok());
    const int64_t al = x->alpha;
    std::vector<double> d(al * al), g(9);
    for (int64_t i = 0; i < al * al; ++i) d[i] = 0.1 * i - 0.7 * (i % 3);
    for (int64_t i = 0; i < 9; ++i) g[i] = 0.3 * i - 1;
    std::vector<double> u(al * al, 0), v(al * al, 0), y(m * m, 0);
    for (int64_t a = 0; a < al; ++a)
      for (int64_t b = 0; b < al; ++b)
        for (int64_t k = 0; k < 3; ++k)
          for (int64_t l = 0; l < 3; ++l) u[a * al + b] += x->g[a * 3 + k] * g[k * 3 + l] * x->g[b * 3 + l];
    for (int64_t a = 0; a < al; ++a)
      for (int64_t b = 0; b < al; ++b)
        for (int64_t p = 0; p < al; ++p)
          for (int64_t q = 0; q < al; ++q) v[a * al + b] += x->bt[a * al + p] * d[p * al + q] * x->bt[b * al + q];
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < m; ++j)
        for (int64_t a = 0; a < al; ++a)
          for (int64_t b = 0; b < al; ++b)
            y[i * m + j] += x->at[i * al + a] * u[a * al + b] * v[a * al + b] * x->at[j * al + b];
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < m; ++j) {
        double want = 0;
        for (int64_t k = 0; k < 3; ++k)
          for (int64_t l = 0; l < 3; ++l) want += d[(i + k) * al + j + l] * g[k * 3 + l];
        EXPECT_NEAR(y[i * m + j], want, 1e-9) << "m=" << m << " at " << i << "," << j;
      }
  }
  EXPECT_FALSE(WinogradMatricesFor(3).ok());
}

}  // namespace
}  // namespace kiln::ir::ops

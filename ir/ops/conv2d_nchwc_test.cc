#include "ir/ops/conv2d_nchwc.h"
#include "ir/ops/conv2d_winograd.h"
#include "ir/ops/conv2d_nchwc_template.h"

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "ir/ops/divisors.h"
#include "ir/ops/layout.h"
#include "ir/printer.h"
#include "targets/target_parser.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/ops/testing/op_test_util.h"
#include "ir/ops/testing/reference_ops.h"

namespace kiln::ir::ops {
namespace {

using ::testing::HasSubstr;

using testing::RandomFloats;

// Builds the buffers of `w` under config `c`: data, kernel, [bias],
// [residual], output; and the expected output, packed.
struct ConvCase {
  std::vector<std::vector<float>> buffers;
  std::vector<float> want;
};

ConvCase MakeCase(const Conv2dWorkload& w, const Conv2dNCHWcConfig& c) {
  const int64_t oh = w.out_height(), ow = w.out_width();
  auto data = RandomFloats(w.batch * w.in_channels * w.height * w.width, 1);
  auto weight = RandomFloats(w.out_channels * w.in_channels * w.kernel_h * w.kernel_w, 2);
  auto bias = RandomFloats(w.out_channels, 3);
  auto residual = RandomFloats(w.batch * w.out_channels * oh * ow, 4);
  ConvCase out;
  out.want = PackNCHWc(testing::ReferenceConv2d(w, 1, data, weight, bias, residual), w.batch, w.out_channels,
                       oh, ow, c.oc_bn);
  out.buffers.push_back(PackNCHWc(data, w.batch, w.in_channels, w.height, w.width, c.ic_bn));
  if (c.winograd_tile != 0) {
    out.buffers.push_back(*TransformWinogradWeights(weight, w.out_channels, w.in_channels,
                                                    c.winograd_tile, c.ic_bn, c.oc_bn));
  } else {
    out.buffers.push_back(PackOIHWio(weight, w.out_channels, w.in_channels, w.kernel_h,
                                     w.kernel_w, c.ic_bn, c.oc_bn));
  }
  if (w.bias) out.buffers.push_back(bias);
  if (w.residual) {
    out.buffers.push_back(PackNCHWc(residual, w.batch, w.out_channels, oh, ow, c.oc_bn));
  }
  out.buffers.emplace_back(out.want.size(), 0.0f);
  return out;
}

void CheckConv(const Conv2dWorkload& w, const Conv2dNCHWcConfig& c,
               const targets::Target& target) {
  const std::string what = w.ToString() + " on " + target.ToString() +
                           " ic_bn=" + std::to_string(c.ic_bn) + " oc_bn=" +
                           std::to_string(c.oc_bn) + " tile_ow=" + std::to_string(c.tile_ow) +
                           " unroll_kw=" + std::to_string(c.unroll_kw) +
                           " winograd=" + std::to_string(c.winograd_tile);
  auto f = BuildConv2dNCHWc(w, c, "conv");
  ASSERT_TRUE(f.ok()) << f.status();
  ConvCase test = MakeCase(w, c);
  ASSERT_TRUE(testing::CompileAndRun(*f, target, test.buffers).ok()) << what;
  testing::ExpectAllNear(test.buffers.back(), test.want, 1e-4f, what);
}

std::vector<Conv2dWorkload> AwkwardWorkloads() {
  std::vector<Conv2dWorkload> out;
  Conv2dWorkload a;  // 3x3, pad 1, odd sizes, channels not a multiple of 8
  a.in_channels = 6, a.height = 7, a.width = 9, a.out_channels = 20;
  a.kernel_h = a.kernel_w = 3, a.pad_h = a.pad_w = 1;
  a.bias = true, a.activation = Activation::kRelu;
  out.push_back(a);
  Conv2dWorkload b = a;  // stride 2 and dilation 2, residual
  b.stride_h = b.stride_w = 2, b.dilation_h = b.dilation_w = 2, b.pad_h = 2, b.pad_w = 1;
  b.bias = false, b.residual = true, b.activation = Activation::kNone;
  out.push_back(b);
  Conv2dWorkload c;  // 1x1, no padding, batch 2
  c.batch = 2, c.in_channels = 32, c.height = c.width = 5, c.out_channels = 48;
  c.kernel_h = c.kernel_w = 1, c.residual = true, c.activation = Activation::kRelu;
  out.push_back(c);
  Conv2dWorkload d;  // stem-like 7x7 stride 2 with 3 input channels
  d.in_channels = 3, d.height = d.width = 17, d.out_channels = 16;
  d.kernel_h = d.kernel_w = 7, d.stride_h = d.stride_w = 2, d.pad_h = d.pad_w = 3;
  out.push_back(d);
  Conv2dWorkload e;  // 3x3 with enough channels and tiles for Winograd
  e.in_channels = 16, e.height = 15, e.width = 17, e.out_channels = 24;
  e.kernel_h = e.kernel_w = 3, e.pad_h = e.pad_w = 1;
  e.bias = true, e.residual = true, e.activation = Activation::kRelu;
  out.push_back(e);
  // A 1-D convolution (one row, padded only along it) with several channel
  // blocks: its one-row padding stage is a serial loop ahead of the parallel
  // one, whose closure once captured that loop's variable (invalid IR).
  Conv2dWorkload f;
  f.in_channels = 16, f.height = 1, f.width = 150, f.out_channels = 48;
  f.kernel_h = 1, f.kernel_w = 3, f.stride_w = 2, f.pad_w = 1;
  f.bias = true, f.activation = Activation::kRelu;
  out.push_back(f);
  // ASPP-like: dilations 3 and 5 on a small map, so that whole kernel rows
  // and columns read only padding for the outer output rows and tiles.
  Conv2dWorkload g;
  g.in_channels = 8, g.height = 10, g.width = 11, g.out_channels = 16;
  g.kernel_h = g.kernel_w = 3, g.dilation_h = 3, g.dilation_w = 5, g.pad_h = 3, g.pad_w = 5;
  g.bias = true, g.activation = Activation::kRelu;
  out.push_back(g);
  return out;
}

TEST(Conv2dNCHWcTest, DefaultConfigsMatchTheReference) {
  for (const targets::Target& target : testing::RunnableTargets()) {
    for (const Conv2dWorkload& w : AwkwardWorkloads()) {
      CheckConv(w, DefaultConv2dNCHWcConfig(w, target), target);
    }
  }
}

// Output channels that no whole vector divides (MobileNetV2's 24 on 16
// lanes) still get a register tile of several pixels: with one pixel per
// tile the FMAs wait on each other's latency (3.4x slower measured).
TEST(Conv2dNCHWcTest, PartialVectorBlocksGetARegisterTile) {
  for (const targets::Target& target : testing::RunnableTargets()) {
    Conv2dWorkload w;
    w.in_channels = 16, w.height = 3, w.width = 28, w.out_channels = 12;
    w.kernel_h = w.kernel_w = 1, w.residual = true;
    const Conv2dNCHWcConfig c = DefaultDirectConv2dNCHWcConfig(w, target);
    EXPECT_EQ(w.out_channels % c.oc_bn, 0) << target.ToString();
    if (w.out_channels % target.vector_lanes != 0) {
      EXPECT_LT(c.oc_bn, target.vector_lanes) << target.ToString();
    }
    EXPECT_GT(c.tile_ow, 1) << target.ToString();
    EXPECT_LE(c.tile_ow + 2, target.vector_registers) << target.ToString();
    CheckConv(w, c, target);
  }
}

// Blocks fixed by the model (a transposed convolution's phase conv: 96
// output channels in blocks of 12, so that each phase's 24 move as whole
// blocks) get tiles and groups chosen for those blocks, not for the 32 the
// conv would take alone: its 8 blocks in one group when the input is read
// once that way (as 3 groups of 32 would be), and a tile for one vector.
TEST(Conv2dNCHWcTest, FixedBlocksGetTheirOwnTilesAndGroups) {
  const targets::Target target = *targets::ParseTarget("llvm -mcpu=skylake-avx512");
  Conv2dWorkload w;
  w.in_channels = 64, w.height = w.width = 80, w.out_channels = 96;
  w.kernel_h = w.kernel_w = 2, w.pad_h = w.pad_w = 1;
  const Conv2dNCHWcConfig alone = DefaultDirectConv2dNCHWcConfig(w, target);
  ASSERT_EQ(alone.oc_bn, 32);
  const Conv2dBlocks fixed{16, 12};
  const Conv2dNCHWcConfig c = DefaultDirectConv2dNCHWcConfig(w, target, &fixed);
  EXPECT_EQ(c.ic_bn, 16);
  EXPECT_EQ(c.oc_bn, 12);
  EXPECT_EQ(LargestDivisorAtMost(w.out_channels / c.oc_bn, c.oc_group), 8);
  EXPECT_LE(c.tile_ow + 2, target.vector_registers);
  EXPECT_GT(c.tile_ow, alone.tile_ow);  // one accumulator vector per pixel, not two
}

TEST(Conv2dNCHWcTest, BothLoopOrdersMatchTheReferenceWithRaggedTiles) {
  // The first workload has 7x9 outputs (one accumulator block per channel
  // block); the same with 12x13 outputs goes row by row. Register tiles of
  // 4 and 5 pixels leave partial tiles at the end of every row.
  Conv2dWorkload whole = AwkwardWorkloads()[0];
  Conv2dWorkload rows = whole;
  rows.height = 12, rows.width = 13;
  ASSERT_TRUE(AccumulatesWholeOutput(whole));
  ASSERT_FALSE(AccumulatesWholeOutput(rows));
  for (const targets::Target& target : testing::RunnableTargets()) {
    for (const Conv2dWorkload& w : {whole, rows}) {
      for (int64_t tile_ow : {4, 5}) {
        Conv2dNCHWcConfig c;
        c.ic_bn = 3, c.oc_bn = 20, c.tile_ow = tile_ow, c.oc_group = 1;
        CheckConv(w, c, target);
        c.ic_bn = 6, c.oc_bn = 4, c.oc_group = 2;
        CheckConv(w, c, target);
      }
    }
  }
}

// Segments of any width: one pixel, ragged ones whose last reaches past
// the row into zero padding (with and without the conv's own padding, with
// stride and dilation), a whole row, and wider than a row with a register
// tile wider than the row too; on one row and on several.
TEST(Conv2dNCHWcTest, SegmentsMatchTheReference) {
  Conv2dWorkload padded = AwkwardWorkloads()[5];
  ASSERT_EQ(padded.height, 1);
  Conv2dWorkload unpadded = padded;
  unpadded.pad_w = 0, unpadded.dilation_w = 2, unpadded.residual = true;
  Conv2dWorkload rows = AwkwardWorkloads()[1];
  rows.height = 30, rows.width = 31;
  for (const targets::Target& target : testing::RunnableTargets()) {
    for (const Conv2dWorkload& w : {padded, unpadded, rows}) {
      ASSERT_FALSE(AccumulatesWholeOutput(w));
      for (int64_t segment : {1, 7, 40, 1000}) {
        Conv2dNCHWcConfig c;
        c.ic_bn = w.in_channels == 6 ? 3 : 8, c.oc_bn = 4;
        c.tile_ow = segment == 7 ? 3 : segment == 1000 ? 1000 : 5, c.segment = segment;
        CheckConv(w, c, target);
      }
    }
  }
}

// A kernel row that reads only padding for an output row is skipped there
// as a whole, and a kernel column for a whole register tile: the tests sit
// outside the loops they do not depend on, not at every multiply-add.
TEST(Conv2dNCHWcTest, TapsThatReadOnlyPaddingAreSkipped) {
  Conv2dWorkload w;
  w.in_channels = 16, w.height = w.width = 33, w.out_channels = 32;
  w.kernel_h = w.kernel_w = 3, w.dilation_h = w.dilation_w = 6, w.pad_h = w.pad_w = 6;
  Conv2dNCHWcConfig c;
  c.ic_bn = 8, c.oc_bn = 16, c.tile_ow = 6;
  auto f = BuildConv2dNCHWc(w, c, "conv");
  ASSERT_TRUE(f.ok()) << f.status();
  const std::string text = ToString(f->body);
  const size_t kh = text.find("for (kh"), kw = text.find("for (kw"),
               ic = text.find("for (ic.inner");
  ASSERT_LT(kh, kw);
  ASSERT_LT(kw, ic);
  EXPECT_NE(text.substr(kh, kw - kh).find("if ("), std::string::npos) << text;
  EXPECT_NE(text.substr(kw, ic - kw).find("if ("), std::string::npos) << text;
  for (const targets::Target& target : testing::RunnableTargets()) CheckConv(w, c, target);
}

TEST(Conv2dNCHWcTest, ASingleOutputRowIsComputedInSegments) {
  for (const targets::Target& target : testing::RunnableTargets()) {
    const Conv2dWorkload one_row = AwkwardWorkloads()[5];
    const Conv2dNCHWcConfig c = DefaultDirectConv2dNCHWcConfig(one_row, target);
    EXPECT_EQ(c.segment, SegmentPixels(target, c.oc_bn));
    EXPECT_LE(c.segment * c.oc_bn * 4, target.l1d_bytes / 4);
    Conv2dWorkload rows = one_row;
    rows.height = 3, rows.kernel_h = 3, rows.pad_h = 1;
    EXPECT_EQ(DefaultDirectConv2dNCHWcConfig(rows, target).segment, 0);
  }
}

TEST(Conv2dNCHWcTest, TheDefaultIsAPointOfItsTuningSpace) {
  const targets::Target target = testing::RunnableTargets()[0];
  std::vector<Conv2dWorkload> all = AwkwardWorkloads();
  // ResNet-50's 3x3 layers at the image sizes users pick (Winograd tiles
  // outnumber a row's pixels there).
  for (int64_t size : {7, 14, 28, 56, 112}) {
    for (int64_t channels : {16, 64}) {
      Conv2dWorkload w = all[4];
      w.in_channels = w.out_channels = channels;
      w.height = w.width = size;
      all.push_back(w);
    }
  }
  for (const Conv2dWorkload& w : all) {
    auto task = MakeConv2dNCHWcTask(w, target, nullptr);
    ASSERT_TRUE(task.ok()) << task.status();
    auto config = Conv2dNCHWcTaskConfig(*task, DefaultConv2dNCHWcConfig(w, target));
    EXPECT_TRUE(config.ok()) << w.ToString() << ": " << config.status();
  }
}

TEST(Conv2dNCHWcTest, DefaultIsWinogradWhereItPays) {
  const targets::Target target = testing::RunnableTargets()[0];
  const std::vector<Conv2dWorkload> all = AwkwardWorkloads();
  EXPECT_EQ(DefaultConv2dNCHWcConfig(all[0], target).winograd_tile, 0);  // 6 channels
  EXPECT_EQ(DefaultConv2dNCHWcConfig(all[1], target).winograd_tile, 0);  // strided
  // 15x17: 20 tiles of 4x4, 72 of 2x2.
  EXPECT_EQ(DefaultConv2dNCHWcConfig(all[4], target).winograd_tile, 2);
  Conv2dWorkload large = all[4];
  large.height = large.width = 28;  // 49 tiles of 4x4
  EXPECT_EQ(DefaultConv2dNCHWcConfig(large, target).winograd_tile, 4);
  Conv2dWorkload small = all[4];
  small.height = small.width = 7;  // 16 tiles of 2x2: its weights cost more than it saves
  EXPECT_EQ(DefaultConv2dNCHWcConfig(small, target).winograd_tile, 0);
  EXPECT_EQ(DefaultDirectConv2dNCHWcConfig(all[4], target).winograd_tile, 0);
}

TEST(Conv2dNCHWcTest, RandomConfigsFromTheSpaceMatchTheReference) {
  std::mt19937_64 rng(5);
  for (const targets::Target& target : testing::RunnableTargets()) {
    for (const Conv2dWorkload& w : AwkwardWorkloads()) {
      auto space = Conv2dNCHWcSpace(w, target);
      ASSERT_TRUE(space.ok()) << space.status();
      for (int k = 0; k < 4; ++k) {
        auto config = Conv2dNCHWcConfigFrom(space->At(rng() % space->size()));
        ASSERT_TRUE(config.ok()) << config.status();
        CheckConv(w, *config, target);
      }
    }
  }
}

TEST(Conv2dNCHWcTest, Avx512CodeCompilesOnAnyHost) {
  const targets::Target target = testing::Avx512Target();
  for (const Conv2dWorkload& w : AwkwardWorkloads()) {
    auto f = BuildConv2dNCHWc(w, DefaultConv2dNCHWcConfig(w, target), "conv");
    ASSERT_TRUE(f.ok()) << f.status();
    EXPECT_TRUE(testing::CompileOnly(*f, target).ok()) << w.ToString();
  }
}

TEST(Conv2dNCHWcTest, InvalidInputsAreErrors) {
  Conv2dWorkload w = AwkwardWorkloads()[0];
  Conv2dNCHWcConfig c;
  c.ic_bn = 4;  // does not divide 6 input channels
  EXPECT_THAT(BuildConv2dNCHWc(w, c, "bad").status().message(),
              HasSubstr("block sizes must divide"));
  c.ic_bn = 3, c.oc_bn = 4, c.segment = -1;
  EXPECT_THAT(BuildConv2dNCHWc(w, c, "bad").status().message(), HasSubstr("negative"));
  w.kernel_h = 40;
  EXPECT_THAT(ValidateConv2d(w).message(), HasSubstr("empty output"));
}

}  // namespace
}  // namespace kiln::ir::ops

#include "passes/split_padded_taps.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ir/graph/attrs_nn.h"
#include "ir/graph/op_registry.h"
#include "passes/graph_test_util.h"

namespace kiln::passes {
namespace {

using runtime::DType;

using testing::RandomArray;

struct Case {
  std::vector<int64_t> x;  // [N, C, H, W]
  int64_t out_channels, group, kh, kw;
  std::vector<int64_t> strides, dilations, pads;
  bool split;  // whether the rewrite applies
};

// x -> conv -> relu, the conv as `c` says, with a bias.
graph::Graph DilatedConv(const Case& c) {
  graph::Graph g;
  const int x = g.AddInput("x", {DType::kFloat32, c.x});
  const int w = g.AddConstant("w", RandomArray({c.out_channels, c.x[1] / c.group, c.kh, c.kw}, 2));
  const int b = g.AddConstant("b", RandomArray({c.out_channels}, 3));
  const int y = g.AddValue("y", {DType::kFloat32, {}});
  graph::Node conv{"conv", "conv", {x, w, b}, {y}, {}};
  graph::Conv2dAttrs a;
  a.strides = c.strides;
  a.dilations = c.dilations;
  a.pads = c.pads;
  a.group = c.group;
  a.Write(conv);
  g.AddNode(conv);
  const int r = g.AddValue("r", {DType::kFloat32, {}});
  g.AddNode(graph::Node{"relu", "relu", {y}, {r}, {}});
  g.SetOutputs({r});
  return g;
}

// Every case computes what the conv did; the far-reaching windows are split
// into convolutions without padding.
TEST(SplitPaddedTapsTest, BandsComputeTheConvolution) {
  const std::vector<Case> cases = {
      // ASPP-like: dilation 6 on 9x9, most taps in the padding.
      {{1, 8, 9, 9}, 6, 1, 3, 3, {1, 1}, {6, 6}, {6, 6, 6, 6}, true},
      // Stride 2, asymmetric pads, groups, a 3x2 kernel, one axis dilated.
      {{2, 6, 11, 7}, 4, 2, 3, 2, {2, 1}, {5, 1}, {5, 0, 4, 1}, true},
      // Dilation 2 on a large image: most taps inside, unchanged.
      {{1, 4, 40, 40}, 4, 1, 3, 3, {1, 1}, {2, 2}, {2, 2, 2, 2}, false},
      // Not dilated: unchanged.
      {{1, 4, 5, 5}, 4, 1, 3, 3, {1, 1}, {1, 1}, {1, 1, 1, 1}, false},
  };
  for (size_t k = 0; k < cases.size(); ++k) {
    SCOPED_TRACE(absl::StrCat("case ", k));
    graph::Graph g = DilatedConv(cases[k]);
    ASSERT_TRUE(graph::InferTypes(g).ok());
    const graph::NDArray x = RandomArray(cases[k].x, 1);
    auto want = graph::Evaluate(g, {{"x", x}});
    ASSERT_TRUE(want.ok()) << want.status();
    ASSERT_TRUE(SplitPaddedTaps(g, /*min_saved_flop=*/0).ok());
    int convs = 0;
    for (const graph::Node& n : g.nodes()) {
      if (n.op != "conv") continue;
      ++convs;
      if (cases[k].split) {
        EXPECT_EQ(graph::Conv2dAttrs::Read(n)->pads, (std::vector<int64_t>{0, 0, 0, 0}));
      }
    }
    EXPECT_EQ(convs > 1, cases[k].split) << g.ToString();
    auto got = graph::Evaluate(g, {{"x", x}});
    ASSERT_TRUE(got.ok()) << got.status();
    testing::ExpectSameArray((*got)[0], (*want)[0], 1e-5f, g.ToString());
  }
}

// Many small random geometries, including dilations far beyond the image
// and windows where some outputs read no input (left whole): the result
// is always the conv's.
TEST(SplitPaddedTapsTest, RandomGeometriesComputeTheConvolution) {
  std::mt19937 rng(7);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  int split = 0;
  for (int trial = 0; trial < 200; ++trial) {
    Case c;
    c.group = pick(1, 2);
    c.x = {1, 2 * c.group, pick(1, 9), pick(1, 9)};
    c.out_channels = 2 * c.group;
    c.kh = pick(1, 4);
    c.kw = pick(1, 4);
    c.strides = {pick(1, 3), pick(1, 3)};
    c.dilations = {pick(1, 12), pick(1, 12)};
    // Up to the window's reach, and now and then beyond it.
    const int64_t reach_h = c.dilations[0] * (c.kh - 1), reach_w = c.dilations[1] * (c.kw - 1);
    c.pads = {pick(0, reach_h + 1), pick(0, reach_w + 1), pick(0, reach_h + 1),
              pick(0, reach_w + 1)};
    const int64_t oh = (c.x[2] + c.pads[0] + c.pads[2] - c.dilations[0] * (c.kh - 1) - 1),
                  ow = (c.x[3] + c.pads[1] + c.pads[3] - c.dilations[1] * (c.kw - 1) - 1);
    if (oh < 0 || ow < 0) continue;  // no output
    SCOPED_TRACE(absl::StrCat("trial ", trial));
    graph::Graph g = DilatedConv(c);
    ASSERT_TRUE(graph::InferTypes(g).ok()) << g.ToString();
    const graph::NDArray x = RandomArray(c.x, trial);
    auto want = graph::Evaluate(g, {{"x", x}});
    ASSERT_TRUE(want.ok()) << want.status();
    ASSERT_TRUE(SplitPaddedTaps(g, /*min_saved_flop=*/0).ok());
    int convs = 0;
    for (const graph::Node& n : g.nodes()) convs += n.op == "conv";
    split += convs > 1;
    auto got = graph::Evaluate(g, {{"x", x}});
    ASSERT_TRUE(got.ok()) << got.status();
    testing::ExpectSameArray((*got)[0], (*want)[0], 1e-5f, g.ToString());
  }
  EXPECT_GT(split, 5);  // the geometries exercise the rewrite
}

// By default a rewrite must save enough work to pay for its extra kernels:
// the small ASPP-like case above stays whole.
TEST(SplitPaddedTapsTest, SmallConvolutionsStayWhole) {
  graph::Graph g = DilatedConv({{1, 8, 9, 9}, 6, 1, 3, 3, {1, 1}, {6, 6}, {6, 6, 6, 6}, true});
  ASSERT_TRUE(graph::InferTypes(g).ok());
  ASSERT_TRUE(SplitPaddedTaps(g).ok());
  int convs = 0;
  for (const graph::Node& n : g.nodes()) convs += n.op == "conv";
  EXPECT_EQ(convs, 1);
}

}  // namespace
}  // namespace kiln::passes

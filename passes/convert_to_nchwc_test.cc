#include "passes/convert_to_nchwc.h"

#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ir/graph/attrs_data_movement.h"
#include "ir/graph/op_registry.h"
#include "passes/graph_test_util.h"
#include "targets/target_parser.h"

namespace kiln::passes {
namespace {

using runtime::DType;

graph::NDArray Wave(const std::vector<int64_t>& shape, double phase) {
  auto a = graph::NDArray::Empty(shape, DType::kFloat32);
  for (int64_t i = 0; i < a->NumElements(); ++i) {
    a->data<float>()[i] = static_cast<float>(std::sin(0.37 * i + phase));
  }
  return *a;
}

// Layout transforms back to plain NCHW.
int ToPlain(const graph::Graph& g) {
  int n = 0;
  for (const auto& node : g.nodes()) {
    n += node.op == "layout_transform" && graph::LayoutTransformAttrs::Read(node)->dst_block == 0;
  }
  return n;
}

const graph::Node& Only(const graph::Graph& g, const std::string& op) {
  for (const auto& node : g.nodes()) {
    if (node.op == op) return node;
  }
  ADD_FAILURE() << "no " << op << " in\n" << g.ToString();
  return g.nodes().front();
}

// A decoder step of a segmentation network: a 3x3 conv of x, resized, joined
// with a conv of the skip input y along the channels, and a conv of the
// result. Channel counts are the test's: `skip_channels` of y's conv.
struct Decoder {
  graph::Graph g;
  graph::NDArray x = Wave({1, 5, 7, 9}, 0.1), y = Wave({1, 3, 11, 13}, 0.7);
  std::string target = "llvm";

  Decoder(const std::string& mode, const std::string& coord, int64_t skip_channels) {
    const int xi = g.AddInput("x", {DType::kFloat32, x.shape()});
    const int yi = g.AddInput("y", {DType::kFloat32, y.shape()});
    const int up = Conv("up", xi, 5, 32, 7, 9);
    graph::ResizeAttrs resize;
    resize.sizes = {1, 32, 11, 13};
    resize.scales = {1, 1, 11.0 / 7, 13.0 / 9};
    resize.mode = mode;
    resize.coordinate_mode = coord;
    const int resized = Value("resized", {1, 32, 11, 13});
    graph::Node r{"resize", "resize", {up}, {resized}, {}};
    resize.Write(r);
    g.AddNode(r);
    const int skip = Conv("skip", yi, 3, skip_channels, 11, 13);
    const int joined = Value("joined", {1, 32 + skip_channels, 11, 13});
    g.AddNode(graph::Node{"join", "concat", {resized, skip}, {joined}, {{"axis", int64_t{-3}}}});
    g.SetOutputs({Conv("out", joined, 32 + skip_channels, 8, 11, 13)});
  }

  int Value(const std::string& name, std::vector<int64_t> shape) {
    return g.AddValue(name, {DType::kFloat32, std::move(shape)});
  }

  int Conv(const std::string& name, int in, int64_t ic, int64_t oc, int64_t h, int64_t w) {
    const int weight = g.AddConstant(name + "_w", Wave({oc, ic, 3, 3}, oc + 0.3 * ic));
    const int out = Value(name, {1, oc, h, w});
    g.AddNode(graph::Node{name, "conv", {in, weight}, {out},
                          {{"pads", std::vector<int64_t>{1, 1, 1, 1}}}});
    return out;
  }

  // Converts the graph and checks it still computes what it did.
  void ConvertAndCompare() {
    auto want = graph::Evaluate(g, {{"x", x}, {"y", y}});
    ASSERT_TRUE(want.ok()) << want.status();
    auto parsed = targets::ParseTarget(target);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    ASSERT_TRUE(ConvertToNCHWc(g, *parsed, nullptr).ok());
    auto got = graph::Evaluate(g, {{"x", x}, {"y", y}});
    ASSERT_TRUE(got.ok()) << got.status();
    testing::ExpectSameArray((*got)[0], (*want)[0], 1e-4f, g.ToString());
  }
};

// The resize and the concat run on the blocks the convolutions wrote: only
// the output goes back to NCHW (the skip conv's block may be changed to the
// resized tensor's).
TEST(ConvertToNCHWcTest, ResizeAndConcatKeepTheBlocks) {
  for (const char* mode : {"nearest", "linear"}) {
    for (const char* coord : {"half_pixel", "align_corners", "asymmetric", "pytorch_half_pixel"}) {
      SCOPED_TRACE(std::string(mode) + " " + coord);
      Decoder d(mode, coord, 16);
      d.ConvertAndCompare();
      EXPECT_EQ(Only(d.g, "resize").outputs.size(), 1u);
      EXPECT_EQ(d.g.value(Only(d.g, "resize").outputs[0]).type.shape.size(), 5u);
      EXPECT_EQ(d.g.value(Only(d.g, "concat").outputs[0]).type.shape.size(), 5u);
      EXPECT_EQ(ToPlain(d.g), 1) << d.g.ToString();
    }
  }
}

// tf_half_pixel_for_nn moves an axis even at scale 1, so it stays in NCHW.
TEST(ConvertToNCHWcTest, ResizeThatCouldMoveChannelsStaysPlain) {
  Decoder d("nearest", "tf_half_pixel_for_nn", 16);
  d.ConvertAndCompare();
  EXPECT_EQ(d.g.value(Only(d.g, "resize").outputs[0]).type.shape.size(), 4u);
}

// 7 channels do not divide into the resized input's blocks:
// the concat joins plain tensors.
TEST(ConvertToNCHWcTest, ConcatOfChannelsThatDoNotDivideStaysPlain) {
  Decoder d("linear", "half_pixel", 7);
  d.ConvertAndCompare();
  EXPECT_EQ(d.g.value(Only(d.g, "resize").outputs[0]).type.shape.size(), 5u);
  EXPECT_EQ(d.g.value(Only(d.g, "concat").outputs[0]).type.shape.size(), 4u);
}

// A transposed convolution as conv_transpose_as_conv leaves it: a conv whose
// channels are 2x2 phases of `depth` channels, their depth_to_space, a crop
// of one pixel on each side, and a conv of the result.
struct Upsampler : Decoder {
  Upsampler(int64_t depth, const std::string& target = "llvm")
      : Decoder("nearest", "half_pixel", 16) {
    this->target = target;
    g = graph::Graph();
    const int xi = g.AddInput("x", {DType::kFloat32, x.shape()});
    g.AddInput("y", {DType::kFloat32, y.shape()});
    const int phases = Conv("phases", xi, 5, 4 * depth, 7, 9);
    const int interleaved = Value("interleaved", {1, depth, 14, 18});
    graph::Node d2s{"d2s", "depth_to_space", {phases}, {interleaved}, {}};
    graph::DepthToSpaceAttrs{2, 2}.Write(d2s);
    g.AddNode(d2s);
    const int cropped = Value("cropped", {1, depth, 12, 16});
    graph::Node crop{"crop", "slice", {interleaved}, {cropped}, {}};
    graph::SliceAttrs{{0, 0, 1, 1}, {1, depth, 13, 17}, {1, 1, 1, 1}}.Write(crop);
    g.AddNode(crop);
    g.SetOutputs({Conv("out", cropped, depth, 8, 12, 16)});
  }
};

// The interleave and the crop move whole channel blocks: no layout
// transform between the convolutions. With 24 channels per phase the phase
// conv takes blocks that divide 24, not the 32 its 96 channels would get.
TEST(ConvertToNCHWcTest, DepthToSpaceAndCropKeepTheBlocks) {
  for (const char* target : {"llvm", "llvm -mcpu=skylake-avx512"}) {
    for (int64_t depth : {16, 24}) {
      SCOPED_TRACE(absl::StrCat(target, ", ", depth, " channels"));
      Upsampler u(depth, target);
      u.ConvertAndCompare();
      EXPECT_EQ(u.g.value(Only(u.g, "depth_to_space").outputs[0]).type.shape.size(), 5u);
      EXPECT_EQ(u.g.value(Only(u.g, "slice").outputs[0]).type.shape.size(), 5u);
      EXPECT_EQ(ToPlain(u.g), 1) << u.g.ToString();
    }
  }
}

// 3 channels per phase fill too little of a 16-lane vector: the interleave
// runs on NCHW.
TEST(ConvertToNCHWcTest, DepthToSpaceOfPartialBlocksStaysPlain) {
  Upsampler u(3, "llvm -mcpu=skylake-avx512");
  u.ConvertAndCompare();
  EXPECT_EQ(u.g.value(Only(u.g, "depth_to_space").outputs[0]).type.shape.size(), 4u);
}

// Two convolutions of one weight (a block applied twice) in the same blocks
// read one packed copy of it.
TEST(ConvertToNCHWcTest, ConvolutionsOfOneWeightShareItsPackedCopy) {
  Decoder d("nearest", "half_pixel", 16);
  d.g = graph::Graph();
  const int xi = d.g.AddInput("x", {DType::kFloat32, d.x.shape()});
  d.g.AddInput("y", {DType::kFloat32, d.y.shape()});
  const int first = d.Conv("first", xi, 5, 16, 7, 9);
  // Scaled to keep activations near 1, where float32 sums in another
  // order stay within the comparison's tolerance.
  graph::NDArray shared = Wave({16, 16, 3, 3}, 0.4);
  for (int64_t i = 0; i < shared.NumElements(); ++i) shared.data<float>()[i] /= 12;
  const int weight = d.g.AddConstant("shared_w", shared);
  int h = first;
  for (const char* name : {"again", "and_again"}) {
    const int out = d.Value(name, {1, 16, 7, 9});
    d.g.AddNode(graph::Node{name, "conv", {h, weight}, {out},
                            {{"pads", std::vector<int64_t>{1, 1, 1, 1}}}});
    h = out;
  }
  d.g.SetOutputs({h});
  d.target = "llvm -mcpu=skylake-avx512";
  d.ConvertAndCompare();
  std::vector<int> weights;
  for (const graph::Node& n : d.g.nodes()) {
    if (n.name == "again" || n.name == "and_again") weights.push_back(n.inputs[1]);
  }
  ASSERT_EQ(weights.size(), 2u) << d.g.ToString();
  EXPECT_EQ(weights[0], weights[1]) << d.g.ToString();
}

}  // namespace
}  // namespace kiln::passes

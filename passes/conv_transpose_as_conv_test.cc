#include "passes/conv_transpose_as_conv.h"

#include <cmath>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ir/graph/attrs_nn.h"
#include "ir/graph/op_registry.h"

namespace kiln::passes {
namespace {

struct Case {
  int64_t batch, in_c, out_c, h, w, kh, kw, sh, sw;
  std::vector<int64_t> pads;  // [top, left, bottom, right]
  std::vector<int64_t> output_padding;
  bool bias;
  int group = 1;
  int64_t dilation = 1;
};

graph::NDArray Filled(std::vector<int64_t> shape, double phase) {
  auto a = graph::NDArray::Empty(shape, runtime::DType::kFloat32);
  for (int64_t i = 0; i < a->NumElements(); ++i) {
    a->data<float>()[i] = static_cast<float>(std::sin(0.37 * i + phase));
  }
  return *a;
}

// x -> conv_transpose -> output, with `x` a graph input.
graph::Graph Build(const Case& c) {
  graph::Graph g;
  const int x = g.AddInput("x", {runtime::DType::kFloat32, {c.batch, c.in_c, c.h, c.w}});
  std::vector<int> inputs = {
      x, g.AddConstant("w", Filled({c.in_c, c.out_c / c.group, c.kh, c.kw}, 1.0))};
  if (c.bias) inputs.push_back(g.AddConstant("b", Filled({c.out_c}, 2.0)));
  graph::Node n{"up", "conv_transpose", inputs, {}, {}};
  graph::ConvTransposeAttrs attrs;
  attrs.strides = {c.sh, c.sw};
  attrs.pads = c.pads;
  attrs.output_padding = c.output_padding;
  attrs.group = c.group;
  attrs.dilations = {c.dilation, c.dilation};
  attrs.Write(n);
  const int64_t oh = attrs.OutHeight(c.h, c.kh), ow = attrs.OutWidth(c.w, c.kw);
  n.outputs = {g.AddValue("y", {runtime::DType::kFloat32, {c.batch, c.out_c, oh, ow}})};
  g.AddNode(n);
  g.SetOutputs({n.outputs[0]});
  return g;
}

bool HasOp(const graph::Graph& g, const std::string& op) {
  for (const auto& n : g.nodes()) {
    if (n.op == op) return true;
  }
  return false;
}

TEST(ConvTransposeAsConvTest, MatchesTheTransposedConvolution) {
  const std::vector<Case> cases = {
      {1, 8, 4, 5, 7, 2, 2, 2, 2, {0, 0, 0, 0}, {0, 0}, false},      // U-Net's up-convolution
      {2, 3, 5, 4, 3, 4, 4, 2, 2, {1, 1, 1, 1}, {0, 0}, true},       // the GAN/FPN 4x4 / 2
      {1, 4, 3, 5, 5, 3, 3, 2, 2, {1, 1, 1, 1}, {1, 1}, true},       // 3x3 / 2, output_padding
      {1, 2, 3, 3, 4, 3, 2, 3, 2, {0, 2, 1, 0}, {2, 1}, false},      // asymmetric everything
      {1, 3, 2, 6, 5, 3, 3, 1, 1, {1, 0, 2, 1}, {0, 0}, true},       // stride 1
      {1, 1, 1, 1, 1, 5, 3, 4, 2, {0, 0, 0, 0}, {0, 0}, false},      // a single pixel
      {1, 5, 7, 3, 3, 1, 1, 3, 3, {0, 0, 0, 0}, {2, 2}, true},       // 1x1, wider stride
  };
  for (const Case& c : cases) {
    graph::Graph g = Build(c);
    const graph::NDArray x = Filled({c.batch, c.in_c, c.h, c.w}, 0.5);
    auto want = graph::Evaluate(g, {{"x", x}});
    ASSERT_TRUE(want.ok()) << want.status();
    ASSERT_TRUE(ConvTransposeAsConv(g).ok());
    EXPECT_FALSE(HasOp(g, "conv_transpose"));
    for (const auto& n : g.nodes()) {
      if (n.op == "conv") {
        EXPECT_TRUE(graph::Conv2dAttrs::Read(n)->symmetric_pads()) << "the conv kernels need it";
      }
    }
    auto got = graph::Evaluate(g, {{"x", x}});
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ((*got)[0].shape(), (*want)[0].shape());
    for (int64_t i = 0; i < (*want)[0].NumElements(); ++i) {
      ASSERT_NEAR((*got)[0].data<float>()[i], (*want)[0].data<float>()[i], 1e-4)
          << "kernel " << c.kh << "x" << c.kw << " stride " << c.sh << "x" << c.sw
          << ", element " << i;
    }
  }
}

TEST(ConvTransposeAsConvTest, LeavesGroupsAndDilationToTheirKernel) {
  Case grouped{1, 4, 4, 3, 3, 2, 2, 2, 2, {0, 0, 0, 0}, {0, 0}, false, 2};
  Case dilated{1, 2, 2, 3, 3, 2, 2, 2, 2, {0, 0, 0, 0}, {0, 0}, false, 1, 2};
  for (const Case& c : {grouped, dilated}) {
    graph::Graph g = Build(c);
    ASSERT_TRUE(ConvTransposeAsConv(g).ok());
    EXPECT_TRUE(HasOp(g, "conv_transpose"));
  }
}

}  // namespace
}  // namespace kiln::passes

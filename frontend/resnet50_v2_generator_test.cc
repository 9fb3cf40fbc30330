#include "frontend/resnet50_v2_generator.h"

#include <cmath>

#include "frontend/onnx_importer.h"
#include "gtest/gtest.h"
#include "ir/graph/op_registry.h"

namespace kiln::frontend {
namespace {

// Conv and Gemm FLOPs (2 per multiply-add) of an imported graph.
double Flop(const graph::Graph& g) {
  double flop = 0;
  for (const graph::Node& n : g.nodes()) {
    const auto& out = g.value(n.outputs[0]).type.shape;
    if (n.op == "conv") {
      const auto& w = g.value(n.inputs[1]).type.shape;
      flop += 2.0 * out[0] * out[1] * out[2] * out[3] * w[1] * w[2] * w[3];
    } else if (n.op == "gemm") {
      flop += 2.0 * out[0] * out[1] * g.value(n.inputs[0]).type.shape[1];
    }
  }
  return flop;
}

TEST(ResNet50V2GeneratorTest, MatchesTheZooTopology) {
  auto bytes = GenerateResNet50V2();
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  auto g = ImportOnnxBytes(*bytes);
  ASSERT_TRUE(g.ok()) << g.status();
  int convs = 0;
  for (const graph::Node& n : g->nodes()) convs += n.op == "conv";
  EXPECT_EQ(convs, 53);
  ASSERT_EQ(g->inputs().size(), 1u);
  EXPECT_EQ(g->value(g->inputs()[0]).name, "data");
  EXPECT_EQ(g->value(g->outputs()[0]).type.shape, (std::vector<int64_t>{1, 1000}));
  EXPECT_NEAR(Flop(*g) * 1e-9, 8.18, 0.02);
}

TEST(ResNet50V2GeneratorTest, DeterministicAndRunsOnTheReference) {
  ResNetOptions small;
  small.image_size = 64;
  auto a = GenerateResNet50V2(small), b = GenerateResNet50V2(small);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  auto g = ImportOnnxBytes(*a);
  ASSERT_TRUE(g.ok()) << g.status();
  auto data = graph::NDArray::Empty({1, 3, 64, 64}, runtime::DType::kFloat32);
  for (int64_t i = 0; i < data->NumElements(); ++i) data->data<float>()[i] = std::sin(0.01 * i);
  auto out = graph::Evaluate(*g, {{"data", *data}});
  ASSERT_TRUE(out.ok()) << out.status();
  double max_abs = 0;
  for (int64_t i = 0; i < (*out)[0].NumElements(); ++i) {
    const float v = (*out)[0].data<float>()[i];
    ASSERT_TRUE(std::isfinite(v));
    max_abs = std::max<double>(max_abs, std::fabs(v));
  }
  // Activations neither vanish nor explode through 53 convolutions.
  EXPECT_GT(max_abs, 1e-3);
  EXPECT_LT(max_abs, 1e4);
}

}  // namespace
}  // namespace kiln::frontend

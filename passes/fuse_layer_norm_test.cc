#include "passes/fuse_layer_norm.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "frontend/model_builder.h"
#include "frontend/onnx_importer.h"
#include "gtest/gtest.h"
#include "ir/graph/op_registry.h"

namespace kiln::passes {
namespace {

bool HasLayerNorm(const graph::Graph& g) {
  return std::any_of(g.nodes().begin(), g.nodes().end(),
                     [](const graph::Node& n) { return n.op == "layer_norm"; });
}

struct Pattern {
  bool affine = true;         // * gamma + beta
  bool two_axes = false;      // normalize the last two axes
  bool mean_is_output = false;  // the mean is also a graph output: no fusion
};

// The decomposed LayerNorm of a [2, 5, 12] input as exporters write it.
graph::Graph Decomposed(const Pattern& p) {
  frontend::ModelBuilder b("layer_norm", 13, 3);
  b.AddInput("x", {2, 5, 12});
  const std::vector<int64_t> axes = p.two_axes ? std::vector<int64_t>{1, 2} : std::vector<int64_t>{-1};
  const auto mean = [&](const std::string& v, const std::string& out) {
    frontend::ModelBuilder::Ints(b.Node("ReduceMean", {v}, out), "axes", axes);
    return out;
  };
  const std::string centered = b.Apply("Sub", {"x", mean("x", "mean")}, "centered");
  const std::string squared = b.Apply("Pow", {centered, b.Scalar("two", 2.0f)}, "squared");
  const std::string var = mean(squared, "var");
  const std::string shifted = b.Apply("Add", {var, b.Scalar("eps", 1e-5f)}, "shifted");
  std::string y = b.Apply("Div", {centered, b.Apply("Sqrt", {shifted}, "root")}, "normalized");
  if (p.affine) {
    const std::vector<int64_t> shape = p.two_axes ? std::vector<int64_t>{5, 12} : std::vector<int64_t>{12};
    y = b.Apply("Mul", {y, b.Uniform("gamma", shape, 0.5f, 1.5f)}, "scaled");
    y = b.Apply("Add", {y, b.Uniform("beta", shape, -0.5f, 0.5f)}, "y");
  }
  b.AddOutput(y, {2, 5, 12});
  if (p.mean_is_output) b.AddOutput("mean", {2, 5, 1});
  auto bytes = b.Serialize();
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  auto g = frontend::ImportOnnxBytes(*bytes);
  EXPECT_TRUE(g.ok()) << g.status();
  return *std::move(g);
}

void ExpectSameOutputs(const graph::Graph& before, const graph::Graph& after) {
  auto x = graph::NDArray::Empty({2, 5, 12}, runtime::DType::kFloat32);
  for (int64_t i = 0; i < x->NumElements(); ++i) x->data<float>()[i] = 3 * std::sin(0.7 * i) + 1;
  auto want = graph::Evaluate(before, {{"x", *x}});
  auto got = graph::Evaluate(after, {{"x", *x}});
  ASSERT_TRUE(want.ok()) << want.status();
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(want->size(), got->size());
  for (size_t o = 0; o < want->size(); ++o) {
    ASSERT_EQ((*want)[o].shape(), (*got)[o].shape());
    for (int64_t i = 0; i < (*want)[o].NumElements(); ++i) {
      EXPECT_NEAR((*got)[o].data<float>()[i], (*want)[o].data<float>()[i], 1e-5) << o << " " << i;
    }
  }
}

TEST(FuseLayerNormTest, TheDecomposedPatternBecomesOneNode) {
  for (const Pattern& p : {Pattern{}, Pattern{false}, Pattern{true, true}}) {
    const graph::Graph before = Decomposed(p);
    graph::Graph g = before;
    ASSERT_TRUE(FuseLayerNorm(g).ok());
    ASSERT_EQ(g.nodes().size(), 1u) << g.ToString();
    EXPECT_TRUE(HasLayerNorm(g)) << g.ToString();
    ExpectSameOutputs(before, g);
  }
}

TEST(FuseLayerNormTest, AStatisticSomethingElseReadsKeepsThePattern) {
  const graph::Graph before = Decomposed(Pattern{true, false, true});
  graph::Graph g = before;
  ASSERT_TRUE(FuseLayerNorm(g).ok());
  EXPECT_FALSE(HasLayerNorm(g)) << g.ToString();
  ExpectSameOutputs(before, g);
}

}  // namespace
}  // namespace kiln::passes

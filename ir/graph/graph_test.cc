#include "ir/graph/graph.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/ndarray.h"

namespace kiln::graph {
namespace {

using ::testing::HasSubstr;

// x -> add(x, %bias) -> relu; the add has no name, as pass-made nodes may not.
Graph SmallGraph() {
  Graph g;
  const TensorType type{runtime::DType::kFloat32, {2}};
  const int x = g.AddInput("x", type);
  auto bias = runtime::NDArray::Empty({2}, runtime::DType::kFloat32);
  const int c = g.AddConstant("bias", *bias);
  g.AddConstant("unused", *bias);
  const int sum = g.AddValue("sum", type);
  g.AddNode(Node{"", "add", {x, c}, {sum}, {}});
  const int y = g.AddValue("y", type);
  g.AddNode(Node{"act", "relu", {sum}, {y}, {}});
  g.SetOutputs({y});
  return g;
}

TEST(GraphTest, UnnamedNodesAreLabelledByOpPlaceAndOutput) {
  const Graph g = SmallGraph();
  EXPECT_EQ(NodeLabel(g.nodes()[1]), "node 'act' (relu)");
  EXPECT_EQ(NodeLabel(g.nodes()[0]), "an unnamed add node");
  EXPECT_EQ(g.NodeLabel(0), "add node #0 (output 'sum')");
  EXPECT_EQ(g.NodeLabel(1), "node 'act' (relu)");
  EXPECT_THAT(g.nodes()[0].Int("axis").status().message(),
              HasSubstr("an unnamed add node needs attribute 'axis'"));
}

TEST(GraphTest, VerifyNamesAnUnnamedNodeByItsPlace) {
  Graph g = SmallGraph();
  g.mutable_nodes()[0].inputs[0] = 99;
  EXPECT_THAT(g.Verify().message(), HasSubstr("add node #0 (output 'sum') reads value id 99"));
}

TEST(GraphTest, TheDumpDeclaresEveryValueItUses) {
  const std::string dump = SmallGraph().ToString();
  EXPECT_THAT(dump, HasSubstr("input %x: float32[2]\n"));
  EXPECT_THAT(dump, HasSubstr("const %bias: float32[2]\n"));
  EXPECT_THAT(dump, HasSubstr("= add(%x, %bias)"));
  EXPECT_THAT(dump, ::testing::Not(HasSubstr("unused")));
  EXPECT_LT(dump.find("const %bias"), dump.find("= add("));
}

}  // namespace
}  // namespace kiln::graph

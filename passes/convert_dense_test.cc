#include "passes/convert_dense.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ir/graph/op_registry.h"
#include "passes/graph_test_util.h"
#include "targets/target_parser.h"

namespace kiln::passes {
namespace {

using runtime::DType;

using testing::RandomArray;

int Count(const graph::Graph& g, const std::string& op) {
  int n = 0;
  for (const graph::Node& node : g.nodes()) n += node.op == op;
  return n;
}

// The constants the dense nodes read as weights and as biases.
std::vector<int> DenseInputs(const graph::Graph& g, size_t input) {
  std::vector<int> values;
  for (const graph::Node& node : g.nodes()) {
    if (node.op == "dense" && node.inputs.size() > input) values.push_back(node.inputs[input]);
  }
  return values;
}

// Three steps of a recurrence h = tanh(h R + b), each a gemm of the same R
// and b, and a last gemm of the same R scaled by alpha.
struct Recurrence {
  graph::Graph g;
  graph::NDArray x = RandomArray({1, 24}, 1);

  Recurrence() {
    const int r = g.AddConstant("R", RandomArray({24, 24}, 2));
    const int b = g.AddConstant("b", RandomArray({24}, 3));
    int h = g.AddInput("x", {DType::kFloat32, x.shape()});
    for (int step = 0; step < 4; ++step) {
      const std::string name = "step" + std::to_string(step);
      const int pre = g.AddValue(name + "_pre", {DType::kFloat32, {1, 24}});
      graph::Node gemm{name, "gemm", {h, r, b}, {pre}, {}};
      if (step == 3) gemm.attrs["alpha"] = 0.5;
      g.AddNode(gemm);
      h = g.AddValue(name, {DType::kFloat32, {1, 24}});
      g.AddNode(graph::Node{name + "_tanh", "tanh", {pre}, {h}, {}});
    }
    g.SetOutputs({h});
  }
};

// The steps share one packed weight and one bias; the scaled one gets its
// own weight. The results are those of the gemms.
TEST(ConvertDenseTest, ProductsOfOneWeightShareItsPackedCopy) {
  Recurrence r;
  auto want = graph::Evaluate(r.g, {{"x", r.x}});
  ASSERT_TRUE(want.ok()) << want.status();
  const targets::Target target = *targets::ParseTarget("llvm -mcpu=skylake-avx512");
  ASSERT_TRUE(ConvertDense(r.g, target, nullptr).ok());
  EXPECT_EQ(Count(r.g, "dense"), 4) << r.g.ToString();
  const std::vector<int> weights = DenseInputs(r.g, 1), biases = DenseInputs(r.g, 2);
  ASSERT_EQ(weights.size(), 4u);
  ASSERT_EQ(biases.size(), 4u);
  EXPECT_EQ(weights[0], weights[1]);
  EXPECT_EQ(weights[0], weights[2]);
  EXPECT_NE(weights[0], weights[3]);
  EXPECT_EQ(biases[0], biases[3]);
  auto got = graph::Evaluate(r.g, {{"x", r.x}});
  ASSERT_TRUE(got.ok()) << got.status();
  testing::ExpectSameArray((*got)[0], (*want)[0], 1e-5f, r.g.ToString());
}

}  // namespace
}  // namespace kiln::passes

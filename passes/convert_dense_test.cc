#include "passes/convert_dense.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ir/graph/op_registry.h"
#include "ir/ops/testing/op_test_util.h"
#include "targets/target_parser.h"

namespace kiln::passes {
namespace {

using runtime::DType;

// Values in [-1, 1) from the op tests' generator.
graph::NDArray Random(const std::vector<int64_t>& shape, uint32_t seed) {
  auto a = graph::NDArray::Empty(shape, DType::kFloat32);
  const std::vector<float> v = ir::ops::testing::RandomFloats(a->NumElements(), seed);
  std::copy(v.begin(), v.end(), a->data<float>());
  return *a;
}

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
  graph::NDArray x = Random({1, 24}, 1);

  Recurrence() {
    const int r = g.AddConstant("R", Random({24, 24}, 2));
    const int b = g.AddConstant("b", Random({24}, 3));
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
  const graph::NDArray& a = (*got)[0];
  const graph::NDArray& b = (*want)[0];
  ir::ops::testing::ExpectAllNear(
      std::vector<float>(a.data<float>(), a.data<float>() + a.NumElements()),
      std::vector<float>(b.data<float>(), b.data<float>() + b.NumElements()), 1e-5f,
      r.g.ToString());
}

}  // namespace
}  // namespace kiln::passes

#include "passes/sink_reshapes.h"

#include <cmath>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "gtest/gtest.h"
#include "ir/graph/op_registry.h"
#include "ir/ops/testing/op_test_util.h"
#include "passes/eliminate_dead_code.h"

namespace kiln::passes {
namespace {

using runtime::DType;

graph::NDArray Filled(std::vector<int64_t> shape, double phase) {
  auto a = graph::NDArray::Empty(shape, DType::kFloat32);
  for (int64_t i = 0; i < a->NumElements(); ++i) {
    a->data<float>()[i] = static_cast<float>(std::sin(0.37 * i + phase));
  }
  return *a;
}

// Builds a graph node by node; every value is float32.
class Builder {
 public:
  int Input(std::vector<int64_t> shape) {
    const int v = g.AddInput("x", {DType::kFloat32, shape});
    input_shape = std::move(shape);
    return v;
  }
  int Constant(std::vector<int64_t> shape, double phase) {
    return g.AddConstant("c" + std::to_string(g.values().size()), Filled(shape, phase));
  }
  int Op(const std::string& op, std::vector<int> inputs, std::vector<int64_t> shape,
         absl::flat_hash_map<std::string, graph::AttrValue> attrs = {}) {
    graph::Node n{op + std::to_string(g.nodes().size()), op, std::move(inputs), {}, attrs};
    n.outputs = {g.AddValue(n.name, {DType::kFloat32, shape})};
    g.AddNode(n);
    return n.outputs[0];
  }
  int Reshape(int v, std::vector<int64_t> shape) { return Op("reshape", {v}, shape, {{"shape", shape}}); }

  graph::Graph g;
  std::vector<int64_t> input_shape;
};

int Count(const graph::Graph& g, const std::string& op) {
  int n = 0;
  for (const auto& node : g.nodes()) n += node.op == op;
  return n;
}

// Runs the pass and dead-code elimination, checks the graph still computes
// the same outputs and returns it.
graph::Graph SinkAndCompare(Builder& b) {
  const graph::NDArray x = Filled(b.input_shape, 0.5);
  auto want = graph::Evaluate(b.g, {{"x", x}});
  EXPECT_TRUE(want.ok()) << want.status();
  graph::Graph g = b.g;
  EXPECT_TRUE(SinkReshapes(g).ok());
  EXPECT_TRUE(EliminateDeadCode(g).ok());
  EXPECT_TRUE(graph::InferTypes(g).ok()) << g.ToString();
  auto got = graph::Evaluate(g, {{"x", x}});
  EXPECT_TRUE(got.ok()) << got.status();
  if (want.ok() && got.ok()) {
    EXPECT_EQ(got->size(), want->size());
    for (size_t k = 0; k < got->size() && k < want->size(); ++k) {
      EXPECT_EQ((*got)[k].shape(), (*want)[k].shape());
      const float* a = (*got)[k].data<float>();
      ir::ops::testing::ExpectAllNear(std::vector<float>(a, a + (*got)[k].NumElements()),
                                      std::vector<float>((*want)[k].data<float>(),
                                                         (*want)[k].data<float>() +
                                                             (*want)[k].NumElements()),
                                      0.0f, "output " + std::to_string(k));
    }
  }
  return g;
}

// A 1-D convolution's activation between its 2-D view's reshapes: GELU
// through Erf reads the 3-D view twice; both reshapes go.
TEST(SinkReshapesTest, AnActivationBetweenReshapesMovesAndTheReshapesCancel) {
  Builder b;
  const std::vector<int64_t> flat = {1, 4, 6}, view = {1, 4, 1, 6};
  const int x = b.Input(view);
  const int conv = b.Op("relu", {x}, view);  // stands in for the 2-D convolution
  const int y = b.Reshape(conv, flat);
  const int divided = b.Op("div", {y, b.Constant({}, 1.0)}, flat);
  const int erf = b.Op("erf", {divided}, flat);
  const int plus_one = b.Op("add", {erf, b.Constant({1}, 2.0)}, flat);
  const int gelu = b.Op("mul", {y, plus_one}, flat);
  const int next = b.Reshape(gelu, view);
  b.g.SetOutputs({b.Op("sigmoid", {next}, view)});
  const graph::Graph g = SinkAndCompare(b);
  EXPECT_EQ(Count(g, "reshape"), 0) << g.ToString();
  for (const auto& n : g.nodes()) {
    EXPECT_EQ(g.value(n.outputs[0]).type.shape, view) << g.ToString();
  }
}

// A reshape that another reader keeps alive is not bypassed: moving the
// elementwise op would add a reshape (each is a copy) instead of removing one.
TEST(SinkReshapesTest, AReshapeThatStaysForAnotherReaderIsNotDuplicated) {
  Builder b;
  const int x = b.Input({2, 6});
  const int y = b.Reshape(b.Op("relu", {x}, {2, 6}), {3, 4});
  const int e = b.Op("exp", {y}, {3, 4});
  const int t = b.Op("transpose", {y}, {4, 3}, {{"perm", std::vector<int64_t>{1, 0}}});
  b.g.SetOutputs({e, t});
  const graph::Graph g = SinkAndCompare(b);
  EXPECT_EQ(Count(g, "reshape"), 1) << g.ToString();
}

// Operands that are not one-element scalars (a per-channel bias), and
// one-element operands of a higher rank than the inner shape, stay put.
TEST(SinkReshapesTest, OperandsThatWouldBroadcastDifferentlyStayPut) {
  Builder b;
  const int x = b.Input({3, 4});
  const int y = b.Reshape(b.Op("relu", {x}, {3, 4}), {1, 12});
  const int biased = b.Op("add", {y, b.Constant({12}, 1.0)}, {1, 12});
  const int x2 = b.Reshape(b.Op("relu", {x}, {3, 4}), {12});
  const int ranked = b.Op("mul", {b.Reshape(x2, {1, 1, 12}), b.Constant({1, 1, 1}, 2.0)},
                          {1, 1, 12});
  b.g.SetOutputs({biased, ranked});
  const graph::Graph g = SinkAndCompare(b);
  EXPECT_EQ(Count(g, "reshape"), 2) << g.ToString();
}

// Chains fold into one reshape; a graph output keeps its value even when
// its reshape is back to the input's shape.
TEST(SinkReshapesTest, ChainsFoldAndOutputsStay) {
  Builder b;
  const int x = b.Input({2, 3, 4});
  const int r = b.Op("relu", {x}, {2, 3, 4});
  const int back = b.Reshape(b.Reshape(b.Reshape(r, {6, 4}), {24}), {2, 3, 4});
  const int other = b.Reshape(b.Reshape(r, {6, 4}), {4, 6});
  b.g.SetOutputs({back, other});
  const graph::Graph g = SinkAndCompare(b);
  EXPECT_EQ(Count(g, "reshape"), 2) << g.ToString();
  for (const auto& n : g.nodes()) {
    if (n.op == "reshape") {
      EXPECT_EQ(n.inputs[0], g.nodes()[0].outputs[0]) << g.ToString();
    }
  }
}

}  // namespace
}  // namespace kiln::passes

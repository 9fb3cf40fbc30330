// Graphs of the matrix, softmax and normalization operators compiled to
// native code (through the graph passes: dense conversion, layouts, fusion)
// and compared with the reference interpreter on awkward shapes.
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "codegen/graph_compiler.h"
#include "gtest/gtest.h"
#include "ir/graph/op_registry.h"
#include "ir/ops/testing/op_test_util.h"

namespace kiln::codegen {
namespace {

using graph::Graph;
using graph::NDArray;
using graph::Node;
using graph::TensorType;

NDArray Random(const std::vector<int64_t>& shape, int seed,
               runtime::DType type = runtime::DType::kFloat32) {
  auto a = NDArray::Empty(shape, type);
  EXPECT_TRUE(a.ok());
  const std::vector<float> values = ir::ops::testing::RandomFloats(a->NumElements(), seed);
  for (int64_t i = 0; i < a->NumElements(); ++i) {
    // float64 operands get digits float32 cannot hold.
    if (type == runtime::DType::kFloat64) {
      a->data<double>()[i] = values[i] + 1e-9 * std::sin(static_cast<double>(i));
    } else {
      a->data<float>()[i] = values[i];
    }
  }
  return *a;
}

double Element(const NDArray& a, int64_t i) {
  return a.dtype() == runtime::DType::kFloat64 ? a.data<double>()[i] : a.data<float>()[i];
}

int Count(const Graph& g, const std::string& op) {
  int n = 0;
  for (const Node& node : g.nodes()) n += node.op == op;
  return n;
}

// Compiles `g` and checks every output against the reference interpreter;
// `optimized` receives the graph after the compiler's passes.
void ExpectCompiledMatchesReference(const Graph& g,
                                    const absl::flat_hash_map<std::string, NDArray>& inputs,
                                    Graph* optimized = nullptr, double tolerance = 1e-4) {
  auto want = graph::Evaluate(g, inputs);
  ASSERT_TRUE(want.ok()) << want.status();
  const targets::Target target = ir::ops::testing::RunnableTargets()[0];
  auto compiled = CompileGraph(g, target);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  if (optimized) *optimized = compiled->optimized;
  auto model = BuildJitModel(*compiled, target);
  ASSERT_TRUE(model.ok()) << model.status();
  for (const auto& [name, value] : inputs) {
    ASSERT_TRUE(model->executor->SetInput(name, value).ok()) << name;
  }
  ASSERT_TRUE(model->executor->Run().ok());
  ASSERT_EQ(model->executor->num_outputs(), static_cast<int>(want->size()));
  for (size_t k = 0; k < want->size(); ++k) {
    auto got = model->executor->GetOutput(static_cast<int>(k));
    ASSERT_TRUE(got.ok());
    const NDArray& w = (*want)[k];
    ASSERT_EQ(got->shape(), w.shape()) << "output " << k;
    ASSERT_EQ(got->dtype(), w.dtype()) << "output " << k;
    for (int64_t i = 0; i < w.NumElements(); ++i) {
      const double x = Element(*got, i), y = Element(w, i);
      ASSERT_LE(std::fabs(x - y), tolerance * (1 + std::fabs(y)))
          << "output " << k << " element " << i << " of " << w.NumElements();
    }
  }
}

// Scaled dot-product attention: scores = Q K^T / sqrt(d), softmax over the
// keys, times V; all with batch and head dimensions, K^T by a transpose.
TEST(MatrixOpsTest, AttentionBlockCompiles) {
  const int64_t b = 2, h = 3, s = 7, d = 5;
  Graph g;
  const int q = g.AddInput("q", {runtime::DType::kFloat32, {b, h, s, d}});
  const int k = g.AddInput("k", {runtime::DType::kFloat32, {b, h, s, d}});
  const int v = g.AddInput("v", {runtime::DType::kFloat32, {b, h, s, d}});
  const int kt = g.AddValue("kt", {runtime::DType::kFloat32, {b, h, d, s}});
  Node transpose{"kt", "transpose", {k}, {kt}, {}};
  transpose.attrs["perm"] = std::vector<int64_t>{0, 1, 3, 2};
  g.AddNode(transpose);
  const int scores = g.AddValue("scores", {runtime::DType::kFloat32, {b, h, s, s}});
  g.AddNode(Node{"scores", "matmul", {q, kt}, {scores}, {}});
  auto scale = NDArray::Empty({}, runtime::DType::kFloat32);
  scale->data<float>()[0] = 1.0f / std::sqrt(static_cast<float>(d));
  const int scaled = g.AddValue("scaled", {runtime::DType::kFloat32, {b, h, s, s}});
  g.AddNode(Node{"scale", "mul", {scores, g.AddConstant("scale", *scale)}, {scaled}, {}});
  const int probs = g.AddValue("probs", {runtime::DType::kFloat32, {b, h, s, s}});
  g.AddNode(Node{"probs", "softmax", {scaled}, {probs}, {{"axis", int64_t{-1}}}});
  const int out = g.AddValue("out", {runtime::DType::kFloat32, {b, h, s, d}});
  g.AddNode(Node{"context", "matmul", {probs, v}, {out}, {}});
  g.SetOutputs({out});
  ASSERT_TRUE(graph::InferTypes(g).ok());
  ExpectCompiledMatchesReference(g, {{"q", Random({b, h, s, d}, 1)},
                                     {"k", Random({b, h, s, d}, 2)},
                                     {"v", Random({b, h, s, d}, 3)}});
}

// MatMul by a constant weight: [B, S, K] x [K, N] becomes a dense layer on
// [B*S, K]; 1-D and broadcast operands of run-time matrices stay matmul.
TEST(MatrixOpsTest, MatmulShapes) {
  struct Case {
    std::vector<int64_t> a, b;
    bool b_constant;
  };
  for (const Case& c : std::vector<Case>{{{2, 9, 12}, {12, 20}, true},
                                         {{12}, {12, 20}, true},
                                         {{2, 9, 12}, {12, 20}, false},
                                         {{3, 1, 4, 6}, {5, 6, 3}, false},
                                         {{6}, {2, 6, 3}, false},
                                         {{2, 4, 6}, {6}, false}}) {
    Graph g;
    const int a = g.AddInput("a", {runtime::DType::kFloat32, c.a});
    const int b = c.b_constant ? g.AddConstant("b", Random(c.b, 5))
                               : g.AddInput("b", {runtime::DType::kFloat32, c.b});
    const int y = g.AddValue("y", {runtime::DType::kFloat32, {}});
    g.AddNode(Node{"mm", "matmul", {a, b}, {y}, {}});
    g.SetOutputs({y});
    ASSERT_TRUE(graph::InferTypes(g).ok());
    absl::flat_hash_map<std::string, NDArray> inputs = {{"a", Random(c.a, 4)}};
    if (!c.b_constant) inputs["b"] = Random(c.b, 5);
    SCOPED_TRACE(::testing::Message() << "a " << c.a.size() << "-D, b " << c.b.size() << "-D");
    Graph optimized;
    ExpectCompiledMatchesReference(g, inputs, &optimized);
    EXPECT_EQ(Count(optimized, "dense"), c.b_constant ? 1 : 0);
  }
}

// float64 matrix products (numpy broadcasting, vectors, a constant B that
// stays a matmul) keep float64's precision.
TEST(MatrixOpsTest, Float64MatmulKeepsItsPrecision) {
  using runtime::DType;
  struct Case {
    std::vector<int64_t> a, b;
    bool b_constant;
  };
  for (const Case& c : std::vector<Case>{{{2, 9, 12}, {12, 20}, true},
                                         {{3, 1, 4, 6}, {5, 6, 3}, false},
                                         {{6}, {2, 6, 3}, false},
                                         {{2, 4, 37}, {37}, false}}) {
    Graph g;
    const int a = g.AddInput("a", {DType::kFloat64, c.a});
    const int b = c.b_constant ? g.AddConstant("b", Random(c.b, 5, DType::kFloat64))
                               : g.AddInput("b", {DType::kFloat64, c.b});
    const int y = g.AddValue("y", {DType::kFloat64, {}});
    g.AddNode(Node{"mm", "matmul", {a, b}, {y}, {}});
    g.SetOutputs({y});
    ASSERT_TRUE(graph::InferTypes(g).ok());
    absl::flat_hash_map<std::string, NDArray> inputs = {{"a", Random(c.a, 4, DType::kFloat64)}};
    if (!c.b_constant) inputs["b"] = Random(c.b, 5, DType::kFloat64);
    SCOPED_TRACE(::testing::Message() << "a " << c.a.size() << "-D, b " << c.b.size() << "-D");
    ExpectCompiledMatchesReference(g, inputs, nullptr, 1e-12);
  }
}

// Gemm with every option, B constant (the dense path: alpha in the packed
// weight, beta in the bias, transA by a transpose) or not (a general
// compiled gemm), C of every broadcastable shape.
TEST(MatrixOpsTest, GemmOptions) {
  const int64_t m = 5, kk = 7, n = 11;
  for (bool b_constant : {true, false})
    for (bool ta : {false, true})
      for (bool tb : {false, true})
        for (const std::vector<int64_t>& c_shape :
             std::vector<std::vector<int64_t>>{{}, {n}, {1}, {1, n}, {m, 1}, {m, n}}) {
          const std::vector<int64_t> a_shape = ta ? std::vector<int64_t>{kk, m}
                                                  : std::vector<int64_t>{m, kk};
          const std::vector<int64_t> b_shape = tb ? std::vector<int64_t>{n, kk}
                                                  : std::vector<int64_t>{kk, n};
          Graph g;
          const int a = g.AddInput("a", {runtime::DType::kFloat32, a_shape});
          const int b = b_constant ? g.AddConstant("b", Random(b_shape, 8))
                                   : g.AddInput("b", {runtime::DType::kFloat32, b_shape});
          std::vector<int> inputs = {a, b};
          if (!c_shape.empty()) inputs.push_back(g.AddConstant("c", Random(c_shape, 9)));
          const int y = g.AddValue("y", {runtime::DType::kFloat32, {}});
          g.AddNode(Node{"gemm", "gemm", inputs, {y},
                         {{"alpha", 0.25}, {"beta", 1.5}, {"trans_a", int64_t{ta}},
                          {"trans_b", int64_t{tb}}}});
          g.SetOutputs({y});
          ASSERT_TRUE(graph::InferTypes(g).ok());
          absl::flat_hash_map<std::string, NDArray> values = {{"a", Random(a_shape, 7)}};
          if (!b_constant) values["b"] = Random(b_shape, 8);
          SCOPED_TRACE(::testing::Message() << "b constant " << b_constant << ", transA " << ta
                                            << ", transB " << tb << ", C rank " << c_shape.size());
          Graph optimized;
          ExpectCompiledMatchesReference(g, values, &optimized);
          // A C of one value per output feature (or one value) is the bias.
          const bool bias = c_shape.size() < 2 ? true : c_shape[0] == 1;
          EXPECT_EQ(Count(optimized, "dense"), b_constant && bias ? 1 : 0);
        }
}

// LayerNormalization over the last axes of a transformer's activations,
// with and without bias and the statistics outputs.
TEST(MatrixOpsTest, LayerNorm) {
  for (int64_t axis : {-1, 1, 0})
    for (bool bias : {false, true})
      for (bool stats : {false, true}) {
        const std::vector<int64_t> shape = {2, 5, 24};
        std::vector<int64_t> normalized(shape.begin() + (axis < 0 ? 3 + axis : axis), shape.end());
        Graph g;
        const int x = g.AddInput("x", {runtime::DType::kFloat32, shape});
        std::vector<int> inputs = {x, g.AddConstant("scale", Random(normalized, 2))};
        if (bias) inputs.push_back(g.AddConstant("bias", Random(normalized, 3)));
        std::vector<int> outputs = {g.AddValue("y", {runtime::DType::kFloat32, {}})};
        if (stats) {
          outputs.push_back(g.AddValue("mean", {runtime::DType::kFloat32, {}}));
          outputs.push_back(g.AddValue("inv", {runtime::DType::kFloat32, {}}));
        }
        g.AddNode(Node{"ln", "layer_norm", inputs, outputs,
                       {{"axis", axis}, {"epsilon", 1e-3}, {"stats", int64_t{stats}}}});
        g.SetOutputs(outputs);
        ASSERT_TRUE(graph::InferTypes(g).ok());
        SCOPED_TRACE(::testing::Message() << "axis " << axis << " bias " << bias << " stats "
                                          << stats);
        ExpectCompiledMatchesReference(g, {{"x", Random(shape, 1)}});
      }
}

// InstanceNormalization, and BatchNormalization with statistics computed at
// run time or of a 3-D input.
TEST(MatrixOpsTest, InstanceAndBatchNorm) {
  for (const std::vector<int64_t>& shape :
       std::vector<std::vector<int64_t>>{{2, 3, 5, 7}, {3, 4, 10}, {2, 6, 2, 3, 4}}) {
    const int64_t c = shape[1];
    for (const std::string op : {"instance_norm", "batch_norm", "batch_norm_constant"}) {
      Graph g;
      const int x = g.AddInput("x", {runtime::DType::kFloat32, shape});
      std::vector<int> inputs = {x};
      absl::flat_hash_map<std::string, NDArray> values = {{"x", Random(shape, 1)}};
      const int params = op == "instance_norm" ? 2 : 4;
      for (int k = 0; k < params; ++k) {
        NDArray p = Random({c}, 10 + k);
        if (k == 3) {
          for (int64_t i = 0; i < c; ++i) p.data<float>()[i] = std::fabs(p.data<float>()[i]) + 0.5f;
        }
        const std::string name = absl::StrCat("p", k);
        if (op == "batch_norm") {
          inputs.push_back(g.AddInput(name, {runtime::DType::kFloat32, {c}}));
          values[name] = p;
        } else {
          inputs.push_back(g.AddConstant(name, p));
        }
      }
      const int y = g.AddValue("y", {runtime::DType::kFloat32, {}});
      g.AddNode(Node{"norm", op == "instance_norm" ? "instance_norm" : "batch_norm", inputs, {y},
                     {{"epsilon", 1e-3}}});
      g.SetOutputs({y});
      ASSERT_TRUE(graph::InferTypes(g).ok());
      SCOPED_TRACE(::testing::Message() << op << " of rank " << shape.size());
      ExpectCompiledMatchesReference(g, values);
    }
  }
}

}  // namespace
}  // namespace kiln::codegen

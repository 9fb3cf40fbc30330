// A transformer encoder layer as exporters write it (MatMul of [B, S, D]
// activations by weights, heads split by Reshape and Transpose, attention
// scores by a 4-D batched MatMul, Softmax, LayerNormalization, a GELU-free
// FFN by Gemm-less MatMul + Add), imported and compiled; the compiled model
// must agree with the reference interpreter.
#include <cmath>
#include <string>
#include <vector>

#include "codegen/graph_compiler.h"
#include "frontend/onnx_importer.h"
#include "gtest/gtest.h"
#include "ir/graph/op_registry.h"
#include "ir/ops/testing/op_test_util.h"
#include "onnx/onnx_pb.h"

namespace kiln::frontend {
namespace {

using graph::NDArray;

class Builder {
 public:
  explicit Builder(int opset) {
    proto_.set_ir_version(8);
    proto_.add_opset_import()->set_version(opset);
  }
  onnx::GraphProto* graph() { return proto_.mutable_graph(); }

  void Input(const std::string& name, const std::vector<int64_t>& shape) {
    onnx::ValueInfoProto* info = graph()->add_input();
    info->set_name(name);
    auto* t = info->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : shape) t->mutable_shape()->add_dim()->set_dim_value(d);
  }
  void Output(const std::string& name) { graph()->add_output()->set_name(name); }
  // A float initializer of small deterministic values.
  void Weight(const std::string& name, const std::vector<int64_t>& shape, int seed) {
    onnx::TensorProto* t = graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    int64_t n = 1;
    for (int64_t d : shape) {
      t->add_dims(d);
      n *= d;
    }
    for (float v : ir::ops::testing::RandomFloats(n, seed)) t->add_float_data(v * 0.5f);
  }
  void Ints(const std::string& name, const std::vector<int64_t>& values) {
    onnx::TensorProto* t = graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(values.size());
    for (int64_t v : values) t->add_int64_data(v);
  }
  onnx::NodeProto* Node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs) {
    onnx::NodeProto* n = graph()->add_node();
    n->set_op_type(op);
    for (const auto& in : inputs) n->add_input(in);
    for (const auto& out : outputs) n->add_output(out);
    return n;
  }
  std::string Bytes() const { return proto_.SerializeAsString(); }

 private:
  onnx::ModelProto proto_;
};

void SetInt(onnx::NodeProto* n, const std::string& name, int64_t v) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
void SetInts(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

// Imports `bytes`, runs it by the reference interpreter and compiled, and
// compares every output.
void ExpectCompiledAgrees(const std::string& bytes, const std::vector<int64_t>& x_shape) {
  auto g = ImportOnnxBytes(bytes);
  ASSERT_TRUE(g.ok()) << g.status();
  auto x = NDArray::Empty(x_shape, runtime::DType::kFloat32);
  ASSERT_TRUE(x.ok());
  const auto values = ir::ops::testing::RandomFloats(x->NumElements(), 99);
  std::copy(values.begin(), values.end(), x->data<float>());
  auto want = graph::Evaluate(*g, {{"x", *x}});
  ASSERT_TRUE(want.ok()) << want.status();
  const targets::Target target = ir::ops::testing::RunnableTargets()[0];
  auto compiled = codegen::CompileGraph(*g, target);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  auto model = codegen::BuildJitModel(*compiled, target);
  ASSERT_TRUE(model.ok()) << model.status();
  ASSERT_TRUE(model->executor->SetInput("x", *x).ok());
  ASSERT_TRUE(model->executor->Run().ok());
  ASSERT_EQ(model->executor->num_outputs(), static_cast<int>(want->size()));
  for (size_t k = 0; k < want->size(); ++k) {
    auto got = model->executor->GetOutput(static_cast<int>(k));
    ASSERT_TRUE(got.ok());
    const NDArray& w = (*want)[k];
    ASSERT_EQ(got->shape(), w.shape());
    for (int64_t i = 0; i < w.NumElements(); ++i) {
      ASSERT_NEAR(got->data<float>()[i], w.data<float>()[i], 1e-4 * (1 + std::fabs(w.data<float>()[i])))
          << "output " << k << " element " << i;
    }
  }
}

// Appends multi-head self-attention of `in` [b, s, d] with `heads` heads;
// its output is named `out`.
void Attention(Builder& m, const std::string& in, const std::string& out, int64_t b, int64_t s,
               int64_t d, int64_t heads, bool legacy_softmax) {
  const int64_t dh = d / heads;
  m.Ints("heads_shape", {b, s, heads, dh});
  m.Ints("merged_shape", {b, s, d});
  int seed = 10;
  for (const std::string p : {"q", "k", "v"}) {
    m.Weight("w" + p, {d, d}, seed++);
    m.Node("MatMul", {in, "w" + p}, {p + "_flat"});
    m.Node("Reshape", {p + "_flat", "heads_shape"}, {p + "_heads"});
    // [b, heads, s, dh]; K as [b, heads, dh, s]
    SetInts(m.Node("Transpose", {p + "_heads"}, {p + "_t"}), "perm",
            p == "k" ? std::vector<int64_t>{0, 2, 3, 1} : std::vector<int64_t>{0, 2, 1, 3});
  }
  m.Node("MatMul", {"q_t", "k_t"}, {"scores"});
  onnx::TensorProto* scale = m.graph()->add_initializer();
  scale->set_name("scale");
  scale->set_data_type(onnx::TensorProto::FLOAT);
  scale->add_float_data(1.0f / std::sqrt(static_cast<float>(dh)));
  m.Node("Mul", {"scores", "scale"}, {"scaled"});
  // Opsets before 13: axis 3 of a 4-D input flattens nothing after it.
  SetInt(m.Node("Softmax", {"scaled"}, {"probs"}), "axis", legacy_softmax ? 3 : -1);
  m.Node("MatMul", {"probs", "v_t"}, {"context"});
  SetInts(m.Node("Transpose", {"context"}, {"context_t"}), "perm", {0, 2, 1, 3});
  m.Node("Reshape", {"context_t", "merged_shape"}, {"merged"});
  m.Weight("wo", {d, d}, seed++);
  m.Weight("bo", {d}, seed++);
  m.Node("MatMul", {"merged", "wo"}, {"projected"});
  m.Node("Add", {"projected", "bo"}, {out});
}

TEST(OnnxTransformerTest, EncoderLayerAtOpset17) {
  const int64_t b = 2, s = 7, d = 16, heads = 2, ffn = 32;
  Builder m(17);
  m.Input("x", {b, s, d});
  m.Weight("ln1_scale", {d}, 1);
  m.Weight("ln1_bias", {d}, 2);
  SetInt(m.Node("LayerNormalization", {"x", "ln1_scale", "ln1_bias"}, {"ln1"}), "axis", -1);
  Attention(m, "ln1", "attended", b, s, d, heads, /*legacy_softmax=*/false);
  m.Node("Add", {"x", "attended"}, {"residual"});
  m.Weight("ln2_scale", {d}, 3);
  m.Node("LayerNormalization", {"residual", "ln2_scale"}, {"ln2"});
  m.Weight("w1", {d, ffn}, 4);
  m.Weight("b1", {ffn}, 5);
  m.Weight("w2", {ffn, d}, 6);
  m.Node("MatMul", {"ln2", "w1"}, {"h"});
  m.Node("Add", {"h", "b1"}, {"hb"});
  m.Node("Relu", {"hb"}, {"hr"});
  m.Node("MatMul", {"hr", "w2"}, {"y_ffn"});
  m.Node("Add", {"residual", "y_ffn"}, {"y"});
  m.Output("y");
  ExpectCompiledAgrees(m.Bytes(), {b, s, d});
}

// Opset 11: Softmax over the last axis by the legacy flatten rule, then
// LogSoftmax and Hardmax of the pooled output, and a Gemm classifier.
TEST(OnnxTransformerTest, AttentionAndClassifierAtOpset11) {
  const int64_t b = 3, s = 5, d = 8, heads = 2, classes = 6;
  Builder m(11);
  m.Input("x", {b, s, d});
  Attention(m, "x", "attended", b, s, d, heads, /*legacy_softmax=*/true);
  SetInts(m.Node("ReduceMean", {"attended"}, {"pooled"}), "axes", {1});
  SetInt(m.graph()->mutable_node(m.graph()->node_size() - 1), "keepdims", 0);
  m.Weight("wc", {classes, d}, 7);
  m.Weight("bc", {classes}, 8);
  onnx::NodeProto* gemm = m.Node("Gemm", {"pooled", "wc", "bc"}, {"logits"});
  SetInt(gemm, "transB", 1);
  m.Node("LogSoftmax", {"logits"}, {"log_probs"});
  m.Node("Hardmax", {"logits"}, {"one_hot"});
  m.Output("log_probs");
  m.Output("one_hot");
  ExpectCompiledAgrees(m.Bytes(), {b, s, d});
}

}  // namespace
}  // namespace kiln::frontend

#include "frontend/resnet50_v2_generator.h"

#include <cmath>
#include <fstream>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "onnx/onnx_pb.h"

namespace kiln::frontend {
namespace {

class Builder {
 public:
  explicit Builder(uint64_t seed) : rng_(seed) {
    model_.set_ir_version(3);
    model_.set_producer_name("kiln");
    auto* opset = model_.add_opset_import();
    opset->set_domain("");
    opset->set_version(7);
    graph_ = model_.mutable_graph();
    graph_->set_name("resnet50_v2");
  }

  // A float initializer, also listed as a graph input (IR version 3 style).
  std::string Weight(const std::string& name, const std::vector<int64_t>& dims,
                     const std::function<float()>& value) {
    auto* t = graph_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    int64_t n = 1;
    for (int64_t d : dims) {
      t->add_dims(d);
      n *= d;
    }
    std::string raw(n * sizeof(float), '\0');
    float* data = reinterpret_cast<float*>(raw.data());
    for (int64_t i = 0; i < n; ++i) data[i] = value();
    t->set_raw_data(raw);
    AddInput(name, dims);
    return name;
  }

  void AddInput(const std::string& name, const std::vector<int64_t>& dims) {
    auto* in = graph_->add_input();
    in->set_name(name);
    auto* tt = in->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
  }

  onnx::NodeProto* Node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::string& output) {
    auto* n = graph_->add_node();
    n->set_op_type(op);
    n->set_name(output);
    for (const auto& i : inputs) n->add_input(i);
    n->add_output(output);
    return n;
  }

  static void Ints(onnx::NodeProto* n, const std::string& name, std::vector<int64_t> v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  static void Float(onnx::NodeProto* n, const std::string& name, float v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void Int(onnx::NodeProto* n, const std::string& name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }

  // BatchNorm with non-trivial running statistics.
  std::string BatchNorm(const std::string& x, const std::string& name, int64_t c) {
    std::uniform_real_distribution<float> scale(0.5f, 1.5f), shift(-0.1f, 0.1f),
        var(0.5f, 2.0f);
    auto s = Weight(name + "_gamma", {c}, [&] { return scale(rng_); });
    auto b = Weight(name + "_beta", {c}, [&] { return shift(rng_); });
    auto m = Weight(name + "_moving_mean", {c}, [&] { return shift(rng_); });
    auto v = Weight(name + "_moving_var", {c}, [&] { return var(rng_); });
    auto* n = Node("BatchNormalization", {x, s, b, m, v}, name);
    Float(n, "epsilon", 2e-5f);
    return name;
  }

  std::string Relu(const std::string& x, const std::string& name) {
    Node("Relu", {x}, name);
    return name;
  }

  // He-initialized convolution without bias, as in the zoo model.
  std::string Conv(const std::string& x, const std::string& name, int64_t in, int64_t out,
                   int64_t k, int64_t stride, int64_t pad) {
    std::normal_distribution<float> he(0.0f, std::sqrt(2.0f / (in * k * k)));
    auto w = Weight(name + "_weight", {out, in, k, k}, [&] { return he(rng_); });
    auto* n = Node("Conv", {x, w}, name);
    Ints(n, "kernel_shape", {k, k});
    Ints(n, "strides", {stride, stride});
    Ints(n, "pads", {pad, pad, pad, pad});
    ++convs_;
    return name;
  }

  int convs() const { return convs_; }
  onnx::ModelProto& model() { return model_; }
  onnx::GraphProto& graph() { return *graph_; }
  std::mt19937_64& rng() { return rng_; }

 private:
  onnx::ModelProto model_;
  onnx::GraphProto* graph_;
  std::mt19937_64 rng_;
  int convs_ = 0;
};

}  // namespace

absl::StatusOr<std::string> GenerateResNet50V2(const ResNetOptions& o) {
  if (o.image_size < 32 || o.width < 1 || o.classes < 1) {
    return absl::InvalidArgumentError("image_size must be at least 32, width and classes positive");
  }
  Builder b(o.seed);
  b.AddInput("data", {1, 3, o.image_size, o.image_size});
  std::string x = b.BatchNorm("data", "resnetv24_batchnorm0", 3);
  x = b.Conv(x, "resnetv24_conv0", 3, o.width, 7, 2, 3);
  x = b.BatchNorm(x, "resnetv24_batchnorm1", o.width);
  x = b.Relu(x, "resnetv24_relu0");
  auto* pool = b.Node("MaxPool", {x}, "resnetv24_pool0");
  Builder::Ints(pool, "kernel_shape", {3, 3});
  Builder::Ints(pool, "strides", {2, 2});
  Builder::Ints(pool, "pads", {1, 1, 1, 1});
  x = "resnetv24_pool0";
  const int units[] = {3, 4, 6, 3};
  int64_t in_channels = o.width;
  for (int stage = 0; stage < 4; ++stage) {
    const int64_t mid = o.width << stage, out = 4 * mid;
    for (int unit = 0; unit < units[stage]; ++unit) {
      const std::string p = absl::StrCat("resnetv24_stage", stage + 1, "_unit", unit + 1);
      const int64_t stride = (unit == 0 && stage > 0) ? 2 : 1;
      // Pre-activation: the shared BN + ReLU feeds both the branch and,
      // in the first unit, the projection shortcut.
      std::string act = b.Relu(b.BatchNorm(x, p + "_bn1", in_channels), p + "_relu1");
      std::string shortcut = x;
      if (unit == 0) shortcut = b.Conv(act, p + "_sc", in_channels, out, 1, stride, 0);
      std::string y = b.Conv(act, p + "_conv1", in_channels, mid, 1, 1, 0);
      y = b.Relu(b.BatchNorm(y, p + "_bn2", mid), p + "_relu2");
      y = b.Conv(y, p + "_conv2", mid, mid, 3, stride, 1);
      y = b.Relu(b.BatchNorm(y, p + "_bn3", mid), p + "_relu3");
      y = b.Conv(y, p + "_conv3", mid, out, 1, 1, 0);
      b.Node("Add", {y, shortcut}, p + "_plus");
      x = p + "_plus";
      in_channels = out;
    }
  }
  x = b.Relu(b.BatchNorm(x, "resnetv24_batchnorm2", in_channels), "resnetv24_relu1");
  b.Node("GlobalAveragePool", {x}, "resnetv24_pool1");
  auto* flatten = b.Node("Flatten", {"resnetv24_pool1"}, "resnetv24_flatten0");
  Builder::Int(flatten, "axis", 1);
  std::normal_distribution<float> fc(0.0f, std::sqrt(1.0f / in_channels));
  std::uniform_real_distribution<float> bias(-0.05f, 0.05f);
  auto w = b.Weight("resnetv24_dense0_weight", {o.classes, in_channels}, [&] { return fc(b.rng()); });
  auto bb = b.Weight("resnetv24_dense0_bias", {o.classes}, [&] { return bias(b.rng()); });
  auto* gemm = b.Node("Gemm", {"resnetv24_flatten0", w, bb}, "resnetv24_dense0_fwd");
  Builder::Int(gemm, "transB", 1);
  auto* out = b.graph().add_output();
  out->set_name("resnetv24_dense0_fwd");
  auto* tt = out->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  tt->mutable_shape()->add_dim()->set_dim_value(1);
  tt->mutable_shape()->add_dim()->set_dim_value(o.classes);
  std::string bytes;
  if (!b.model().SerializeToString(&bytes)) return absl::InternalError("cannot serialize the model");
  return bytes;
}

absl::Status WriteResNet50V2(const std::string& path, const ResNetOptions& options) {
  auto bytes = GenerateResNet50V2(options);
  if (!bytes.ok()) return bytes.status();
  std::ofstream out(path, std::ios::binary);
  out << *bytes;
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace kiln::frontend

#include "frontend/model_builder.h"

#include <cmath>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace kiln::frontend {

ModelBuilder::ModelBuilder(const std::string& graph_name, int64_t opset, uint64_t seed,
                           int64_t ir_version)
    : initializers_as_inputs_(ir_version < 4), rng_(seed) {
  model_.set_ir_version(ir_version);
  model_.set_producer_name("kiln");
  auto* import = model_.add_opset_import();
  import->set_domain("");
  import->set_version(opset);
  graph_ = model_.mutable_graph();
  graph_->set_name(graph_name);
}

namespace {

void SetTensorType(onnx::ValueInfoProto* info, const std::string& name,
                   const std::vector<int64_t>& dims,
                   onnx::TensorProto::DataType type = onnx::TensorProto::FLOAT) {
  info->set_name(name);
  auto* tt = info->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(type);
  auto* shape = tt->mutable_shape();
  for (int64_t d : dims) shape->add_dim()->set_dim_value(d);
}

int64_t NumElements(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

}  // namespace

void ModelBuilder::AddInput(const std::string& name, const std::vector<int64_t>& dims) {
  SetTensorType(graph_->add_input(), name, dims);
}

void ModelBuilder::AddOutput(const std::string& name, const std::vector<int64_t>& dims) {
  SetTensorType(graph_->add_output(), name, dims);
}

onnx::TensorProto* ModelBuilder::AddInitializer(const std::string& name,
                                                const std::vector<int64_t>& dims,
                                                onnx::TensorProto::DataType type) {
  auto* t = graph_->add_initializer();
  t->set_name(name);
  t->set_data_type(type);
  for (int64_t d : dims) t->add_dims(d);
  if (initializers_as_inputs_) SetTensorType(graph_->add_input(), name, dims, type);
  return t;
}

std::string ModelBuilder::Weight(const std::string& name, const std::vector<int64_t>& dims,
                                 const std::function<float()>& value) {
  const int64_t n = NumElements(dims);
  std::string raw(n * sizeof(float), '\0');
  float* data = reinterpret_cast<float*>(raw.data());
  for (int64_t i = 0; i < n; ++i) data[i] = value();
  AddInitializer(name, dims, onnx::TensorProto::FLOAT)->set_raw_data(std::move(raw));
  return name;
}

std::string ModelBuilder::Normal(const std::string& name, const std::vector<int64_t>& dims,
                                 float stddev) {
  std::normal_distribution<float> dist(0.0f, stddev);
  return Weight(name, dims, [&] { return dist(rng_); });
}

std::string ModelBuilder::Uniform(const std::string& name, const std::vector<int64_t>& dims,
                                  float low, float high) {
  std::uniform_real_distribution<float> dist(low, high);
  return Weight(name, dims, [&] { return dist(rng_); });
}

std::string ModelBuilder::Scalar(const std::string& name, float value) {
  AddInitializer(name, {}, onnx::TensorProto::FLOAT)->add_float_data(value);
  return name;
}

std::string ModelBuilder::Int64s(const std::string& name, const std::vector<int64_t>& values) {
  auto* t = AddInitializer(name, {static_cast<int64_t>(values.size())}, onnx::TensorProto::INT64);
  for (int64_t v : values) t->add_int64_data(v);
  return name;
}

std::string ModelBuilder::Floats(const std::string& name, const std::vector<float>& values) {
  auto* t = AddInitializer(name, {static_cast<int64_t>(values.size())}, onnx::TensorProto::FLOAT);
  for (float v : values) t->add_float_data(v);
  return name;
}

onnx::NodeProto* ModelBuilder::Node(const std::string& op, const std::vector<std::string>& inputs,
                                    const std::string& output) {
  auto* n = graph_->add_node();
  n->set_op_type(op);
  n->set_name(output);
  for (const auto& i : inputs) n->add_input(i);
  n->add_output(output);
  return n;
}

std::string ModelBuilder::Apply(const std::string& op, const std::vector<std::string>& inputs,
                                const std::string& output) {
  Node(op, inputs, output);
  return output;
}

void ModelBuilder::Ints(onnx::NodeProto* n, const std::string& name,
                        const std::vector<int64_t>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

void ModelBuilder::Int(onnx::NodeProto* n, const std::string& name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

void ModelBuilder::Float(onnx::NodeProto* n, const std::string& name, float v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}

void ModelBuilder::String(onnx::NodeProto* n, const std::string& name, const std::string& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}

std::string ModelBuilder::Conv(const std::string& x, const std::string& name,
                               const ConvSpec& spec) {
  const int64_t in_per_group = spec.in_channels / spec.group;
  std::vector<int64_t> dims = {spec.out_channels, in_per_group};
  int64_t fan_in = in_per_group;
  for (int64_t k : spec.kernel) {
    dims.push_back(k);
    fan_in *= k;
  }
  std::vector<std::string> inputs = {x, Normal(name + "_weight", dims, std::sqrt(2.0f / fan_in))};
  if (spec.bias) inputs.push_back(Uniform(name + "_bias", {spec.out_channels}, -0.05f, 0.05f));
  const size_t rank = spec.kernel.size();
  auto* n = Node("Conv", inputs, name);
  Ints(n, "kernel_shape", spec.kernel);
  Ints(n, "strides", std::vector<int64_t>(rank, spec.stride));
  Ints(n, "pads", std::vector<int64_t>(2 * rank, spec.pad));
  if (spec.group != 1) Int(n, "group", spec.group);
  return name;
}

std::string ModelBuilder::BatchNorm(const std::string& x, const std::string& name,
                                    int64_t channels) {
  std::uniform_real_distribution<float> scale(0.5f, 1.5f), shift(-0.1f, 0.1f), var(0.5f, 2.0f);
  auto s = Weight(name + "_gamma", {channels}, [&] { return scale(rng_); });
  auto b = Weight(name + "_beta", {channels}, [&] { return shift(rng_); });
  auto m = Weight(name + "_moving_mean", {channels}, [&] { return shift(rng_); });
  auto v = Weight(name + "_moving_var", {channels}, [&] { return var(rng_); });
  Float(Node("BatchNormalization", {x, s, b, m, v}, name), "epsilon", 2e-5f);
  return name;
}

std::string ModelBuilder::Relu(const std::string& x, const std::string& name) {
  return Apply("Relu", {x}, name);
}

std::string ModelBuilder::Relu6(const std::string& x, const std::string& name) {
  return Apply("Clip", {x, Scalar(name + "_min", 0.0f), Scalar(name + "_max", 6.0f)}, name);
}

std::string ModelBuilder::Gelu(const std::string& x, const std::string& name) {
  auto scaled = Apply("Div", {x, Scalar(name + "_sqrt2", std::sqrt(2.0f))}, name + "_div");
  auto erf = Apply("Erf", {scaled}, name + "_erf");
  auto one_plus = Apply("Add", {erf, Scalar(name + "_one", 1.0f)}, name + "_add");
  auto times_x = Apply("Mul", {x, one_plus}, name + "_mul");
  return Apply("Mul", {times_x, Scalar(name + "_half", 0.5f)}, name);
}

std::string ModelBuilder::Dense(const std::string& x, const std::string& name, int64_t in,
                                int64_t out, const std::string& output) {
  auto w = Normal(name + "_weight", {out, in}, std::sqrt(1.0f / in));
  auto b = Uniform(name + "_bias", {out}, -0.05f, 0.05f);
  auto* gemm = Node("Gemm", {x, w, b}, output.empty() ? name : output);
  Int(gemm, "transB", 1);
  return gemm->output(0);
}

std::string ModelBuilder::Linear(const std::string& x, const std::string& name, int64_t in,
                                 int64_t out) {
  auto w = Normal(name + "_weight", {in, out}, std::sqrt(1.0f / in));
  auto b = Uniform(name + "_bias", {out}, -0.05f, 0.05f);
  return Apply("Add", {Apply("MatMul", {x, w}, name + "_matmul"), b}, name);
}

absl::StatusOr<std::string> ModelBuilder::Serialize() const {
  std::string bytes;
  if (!model_.SerializeToString(&bytes)) {
    return absl::InternalError(absl::StrCat("cannot serialize the model '", model_.graph().name(),
                                            "' (over protobuf's 2 GB limit?)"));
  }
  return bytes;
}

absl::Status WriteModel(const std::string& path, const absl::StatusOr<std::string>& bytes) {
  if (!bytes.ok()) return bytes.status();
  std::ofstream out(path, std::ios::binary);
  out << *bytes;
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace kiln::frontend

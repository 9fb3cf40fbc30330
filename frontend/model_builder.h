// Building ONNX models in code, with seeded weights: what kiln's model
// generators (ResNet-50 v2, MobileNetV2, BERT, U-Net, the 1-D audio network)
// share, so that each generator is only its topology.
#ifndef KILN_FRONTEND_MODEL_BUILDER_H_
#define KILN_FRONTEND_MODEL_BUILDER_H_

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "onnx/onnx_pb.h"

namespace kiln::frontend {

// A convolution of any rank: the kernel's size gives the spatial rank, and
// stride and pad apply alike to every spatial dimension.
struct ConvSpec {
  ConvSpec(int64_t in_channels, int64_t out_channels, std::vector<int64_t> kernel)
      : in_channels(in_channels), out_channels(out_channels), kernel(std::move(kernel)) {}
  ConvSpec& Stride(int64_t s) { return stride = s, *this; }
  ConvSpec& Pad(int64_t p) { return pad = p, *this; }
  ConvSpec& Group(int64_t g) { return group = g, *this; }
  ConvSpec& Bias() { return bias = true, *this; }

  int64_t in_channels;
  int64_t out_channels;
  std::vector<int64_t> kernel;
  int64_t stride = 1;
  int64_t pad = 0;
  int64_t group = 1;
  bool bias = false;
};

class ModelBuilder {
 public:
  // IR version 3 files (the older zoo models) also list every initializer
  // among the graph inputs, as IR versions below 4 require.
  ModelBuilder(const std::string& graph_name, int64_t opset, uint64_t seed,
               int64_t ir_version = 7);

  void AddInput(const std::string& name, const std::vector<int64_t>& dims);
  void AddOutput(const std::string& name, const std::vector<int64_t>& dims);

  // Float initializers; each returns `name`.
  std::string Weight(const std::string& name, const std::vector<int64_t>& dims,
                     const std::function<float()>& value);
  std::string Normal(const std::string& name, const std::vector<int64_t>& dims, float stddev);
  std::string Uniform(const std::string& name, const std::vector<int64_t>& dims, float low,
                      float high);
  // A 0-D float constant (Clip bounds, the scalars of decomposed operators).
  std::string Scalar(const std::string& name, float value);
  // 1-D constant operands (shapes, axes, scales).
  std::string Int64s(const std::string& name, const std::vector<int64_t>& values);
  std::string Floats(const std::string& name, const std::vector<float>& values);

  // A node with one output named `output` (also its name); returns it for
  // attributes.
  onnx::NodeProto* Node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::string& output);
  // Op(inputs) -> output, returning `output`: for nodes without attributes.
  std::string Apply(const std::string& op, const std::vector<std::string>& inputs,
                    const std::string& output);
  static void Ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v);
  static void Int(onnx::NodeProto* n, const std::string& name, int64_t v);
  static void Float(onnx::NodeProto* n, const std::string& name, float v);
  static void String(onnx::NodeProto* n, const std::string& name, const std::string& v);

  // He-initialized weights `name`_weight (and `name`_bias).
  std::string Conv(const std::string& x, const std::string& name, const ConvSpec& spec);
  // Inference BatchNorm with non-trivial running statistics.
  std::string BatchNorm(const std::string& x, const std::string& name, int64_t channels);
  std::string Relu(const std::string& x, const std::string& name);
  // ReLU6 as exporters write it from opset 11: Clip with min and max inputs.
  std::string Relu6(const std::string& x, const std::string& name);
  // GELU as PyTorch exports it: x * 0.5 * (1 + Erf(x / sqrt(2))).
  std::string Gelu(const std::string& x, const std::string& name);
  // Gemm(x, W^T, b) with W [out, in], as classifiers are exported; weights
  // `name`_weight and `name`_bias, output `output` (`name` if empty).
  std::string Dense(const std::string& x, const std::string& name, int64_t in, int64_t out,
                    const std::string& output = "");
  // MatMul(x, W) + b with W [in, out]: PyTorch's Linear on a 3-D input.
  std::string Linear(const std::string& x, const std::string& name, int64_t in, int64_t out);

  // The serialized ModelProto.
  absl::StatusOr<std::string> Serialize() const;

 private:
  onnx::TensorProto* AddInitializer(const std::string& name, const std::vector<int64_t>& dims,
                                    onnx::TensorProto::DataType type);

  const bool initializers_as_inputs_;
  onnx::ModelProto model_;
  onnx::GraphProto* graph_;
  std::mt19937_64 rng_;
};

// Writes a serialized model to `path`.
absl::Status WriteModel(const std::string& path, const absl::StatusOr<std::string>& bytes);

}  // namespace kiln::frontend

#endif  // KILN_FRONTEND_MODEL_BUILDER_H_

// Building ONNX models in code, with seeded weights: what kiln's model
// generators (ResNet-50 v2, MobileNetV2, BERT, U-Net, the 1-D audio network)
// share, so that each generator is only its topology.
#ifndef KILN_FRONTEND_MODEL_BUILDER_H_
#define KILN_FRONTEND_MODEL_BUILDER_H_

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "onnx/onnx_pb.h"

namespace kiln::frontend {

struct ModelBuilderOptions {
  std::string graph_name;
  int64_t opset = 13;
  // IR version 3 files (the older zoo models) also list every initializer
  // among the graph inputs.
  int64_t ir_version = 7;
  bool initializers_as_inputs = false;
  uint64_t seed = 1;
};

// A convolution of any rank: the kernel's size gives the spatial rank, and
// stride and pad apply alike to every spatial dimension.
struct ConvSpec {
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  std::vector<int64_t> kernel;
  int64_t stride = 1;
  int64_t pad = 0;
  int64_t group = 1;
  bool bias = false;
};

class ModelBuilder {
 public:
  explicit ModelBuilder(const ModelBuilderOptions& options);

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
  // A 1-D constant operand (shapes, axes, scales), never a graph input.
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
  // Gemm(x, W^T, b) with W [out, in], as classifiers are exported.
  std::string Dense(const std::string& x, const std::string& name, int64_t in, int64_t out);
  // MatMul(x, W) + b with W [in, out]: PyTorch's Linear on a 3-D input.
  std::string Linear(const std::string& x, const std::string& name, int64_t in, int64_t out);

  int convs() const { return convs_; }
  std::mt19937_64& rng() { return rng_; }

  // The serialized ModelProto.
  absl::StatusOr<std::string> Serialize() const;

 private:
  onnx::TensorProto* AddInitializer(const std::string& name, const std::vector<int64_t>& dims,
                                    onnx::TensorProto::DataType type);

  ModelBuilderOptions options_;
  onnx::ModelProto model_;
  onnx::GraphProto* graph_;
  std::mt19937_64 rng_;
  int convs_ = 0;
};

// Writes a serialized model to `path`.
absl::Status WriteModel(const std::string& path, const absl::StatusOr<std::string>& bytes);

}  // namespace kiln::frontend

#endif  // KILN_FRONTEND_MODEL_BUILDER_H_

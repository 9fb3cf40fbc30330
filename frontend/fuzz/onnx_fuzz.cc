// ONNX model bytes through everything before code generation: import
// (with every open input dimension bound to 1, as a user would bind it),
// and the graph passes for a CPU target.
#include <cstddef>
#include <cstdint>

#include "frontend/onnx_importer.h"
#include "onnx/onnx_pb.h"
#include "passes/pipeline.h"
#include "targets/target_parser.h"

namespace {

kiln::frontend::InputShapes OpenDimensionsAsOne(const std::string& bytes) {
  kiln::frontend::InputShapes shapes;
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) return shapes;
  for (const auto& input : model.graph().input()) {
    const auto& tensor = input.type().tensor_type();
    if (!tensor.has_shape()) continue;
    std::vector<int64_t> shape;
    for (const auto& dim : tensor.shape().dim()) {
      shape.push_back(dim.has_dim_value() && dim.dim_value() > 0 ? dim.dim_value() : 1);
    }
    shapes[input.name()] = shape;
  }
  return shapes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto* target = new auto(kiln::targets::ParseTarget("llvm -mcpu=haswell"));
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  // Nothing exists at the model's folder: external data is refused or missing.
  auto g = kiln::frontend::ImportOnnxBytes(bytes, OpenDimensionsAsOne(bytes),
                                           "/nonexistent-model-folder");
  if (!g.ok() || !target->ok()) return 0;
  kiln::passes::PipelineOptions options;
  options.target = &**target;
  (void)kiln::passes::OptimizeGraph(*g, options);
  return 0;
}

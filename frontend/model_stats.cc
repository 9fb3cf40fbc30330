#include "frontend/model_stats.h"

#include <exception>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "onnx/checker.h"
#include "onnx/onnx_pb.h"
#include "onnx/shape_inference/implementation.h"

namespace kiln::frontend {
namespace {

using Shapes = absl::flat_hash_map<std::string, std::vector<int64_t>>;

void AddShape(const onnx::ValueInfoProto& info, Shapes& shapes) {
  if (!info.type().tensor_type().has_shape()) return;
  std::vector<int64_t> dims;
  for (const auto& d : info.type().tensor_type().shape().dim()) {
    if (!d.has_dim_value()) return;
    dims.push_back(d.dim_value());
  }
  shapes[info.name()] = std::move(dims);
}

int64_t Product(const std::vector<int64_t>& dims, size_t from = 0) {
  int64_t n = 1;
  for (size_t i = from; i < dims.size(); ++i) n *= dims[i];
  return n;
}

}  // namespace

absl::StatusOr<ModelStats> AnalyzeOnnxModel(const std::string& bytes) {
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) {
    return absl::InvalidArgumentError("not an ONNX model: the protobuf does not parse");
  }
  // onnx reports through exceptions; none leaves this function.
  try {
    onnx::checker::check_model(model);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(),
                                       onnx::ShapeInferenceOptions(/*check_type=*/true,
                                                                   /*strict_mode=*/1));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("the ONNX checker rejects the model: ", e.what()));
  }
  const onnx::GraphProto& g = model.graph();
  ModelStats stats;
  Shapes shapes;
  for (const auto& init : g.initializer()) {
    shapes[init.name()] = {init.dims().begin(), init.dims().end()};
    stats.parameters += Product(shapes[init.name()]);
  }
  for (const auto& v : g.input()) AddShape(v, shapes);
  for (const auto& v : g.value_info()) AddShape(v, shapes);
  for (const auto& v : g.output()) AddShape(v, shapes);
  for (const onnx::NodeProto& n : g.node()) {
    ++stats.nodes;
    const std::string& op = n.op_type();
    if (op != "Conv" && op != "ConvTranspose" && op != "MatMul" && op != "Gemm") continue;
    const auto x = shapes.find(n.input(0)), w = shapes.find(n.input(1)),
               y = shapes.find(n.output(0));
    if (x == shapes.end() || w == shapes.end() || y == shapes.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("node '", n.name(), "' (", op, "): shape inference left its shapes unknown"));
    }
    if (op == "Conv") {
      // Every output element reads C/group x kernel inputs.
      stats.flop += 2.0 * Product(y->second) * Product(w->second, 1);
    } else if (op == "ConvTranspose") {
      // Every input element scatters into (C_out/group) x kernel outputs.
      stats.flop += 2.0 * Product(x->second) * Product(w->second, 1);
    } else if (op == "MatMul") {
      stats.flop += 2.0 * Product(y->second) * x->second.back();
    } else {
      bool trans_a = false;
      for (const auto& a : n.attribute()) trans_a |= a.name() == "transA" && a.i() != 0;
      stats.flop += 2.0 * Product(y->second) * x->second[trans_a ? 0 : 1];
    }
  }
  return stats;
}

}  // namespace kiln::frontend

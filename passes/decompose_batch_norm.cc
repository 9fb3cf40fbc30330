#include "passes/decompose_batch_norm.h"

#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ir/graph/attrs_nn.h"
#include "passes/graph_edit.h"

namespace kiln::passes {

absl::Status DecomposeBatchNorm(graph::Graph& g) {
  std::vector<graph::Node> nodes;
  for (graph::Node& bn : g.mutable_nodes()) {
    bool constant_params = bn.op == "batch_norm" && bn.inputs.size() == 5;
    for (size_t i = 1; constant_params && i < 5; ++i) {
      constant_params = bn.inputs[i] >= 0 && g.value(bn.inputs[i]).constant &&
                        g.value(bn.inputs[i]).type.dtype == runtime::DType::kFloat32;
    }
    const std::vector<int64_t> x_shape = g.value(bn.inputs[0]).type.shape;
    if (!constant_params || x_shape.size() < 2) {
      nodes.push_back(std::move(bn));
      continue;
    }
    auto attrs = graph::BatchNormAttrs::Read(bn);
    if (!attrs.ok()) return attrs.status();
    const double eps = attrs->epsilon;
    const int64_t c = x_shape[1];
    // [C, 1, ..., 1] broadcasts against [N, C, spatial...].
    std::vector<int64_t> shape(x_shape.size() - 1, 1);
    shape[0] = c;
    auto scale = graph::NDArray::Empty(shape, runtime::DType::kFloat32);
    auto shift = graph::NDArray::Empty(shape, runtime::DType::kFloat32);
    if (!scale.ok()) return scale.status();
    if (!shift.ok()) return shift.status();
    const float* gamma = g.value(bn.inputs[1]).constant->data<float>();
    const float* beta = g.value(bn.inputs[2]).constant->data<float>();
    const float* mean = g.value(bn.inputs[3]).constant->data<float>();
    const float* var = g.value(bn.inputs[4]).constant->data<float>();
    for (int64_t i = 0; i < c; ++i) {
      const double s = gamma[i] / std::sqrt(static_cast<double>(var[i]) + eps);
      scale->data<float>()[i] = static_cast<float>(s);
      shift->data<float>()[i] = static_cast<float>(beta[i] - mean[i] * s);
    }
    const std::string name = bn.name.empty() ? g.value(bn.outputs[0]).name : bn.name;
    const int scale_id = g.AddConstant(name + "_scale", *scale);
    const int shift_id = g.AddConstant(name + "_shift", *shift);
    const int scaled = g.AddValue(name + "_scaled", g.value(bn.outputs[0]).type);
    graph::Node mul{name + "_mul", "mul", {bn.inputs[0], scale_id}, {scaled}, {}};
    graph::Node add{name + "_add", "add", {scaled, shift_id}, {bn.outputs[0]}, {}};
    nodes.push_back(std::move(mul));
    nodes.push_back(std::move(add));
  }
  ReplaceNodes(g, std::move(nodes));
  return g.Verify();
}

}  // namespace kiln::passes

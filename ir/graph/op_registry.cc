#include "ir/graph/op_registry.h"

#include "absl/strings/str_cat.h"

namespace kiln::graph {

Registry<OpDef>& OpRegistry() {
  static auto* registry = new Registry<OpDef>("operator");
  return *registry;
}

OpPattern PatternOf(absl::string_view op) {
  auto def = OpRegistry().Find(op);
  return def.ok() ? def->pattern : OpPattern::kOpaque;
}

absl::Status InferTypes(Graph& graph) {
  for (int index = 0; index < static_cast<int>(graph.nodes().size()); ++index) {
    const Node& node = graph.nodes()[index];
    auto def = OpRegistry().Find(node.op);
    if (!def.ok()) return def.status();
    std::vector<const TensorType*> in;
    for (int id : node.inputs) in.push_back(id < 0 ? nullptr : &graph.value(id).type);
    auto out = def->infer(node, in);
    if (!out.ok()) {
      return absl::Status(out.status().code(), absl::StrCat(graph.NodeLabel(index), ": ",
                                                            out.status().message()));
    }
    if (out->size() != node.outputs.size()) {
      return absl::InvalidArgumentError(absl::StrCat(graph.NodeLabel(index), " has ",
                                                     node.outputs.size(),
                                                     " outputs; the operator makes ",
                                                     out->size()));
    }
    for (size_t k = 0; k < out->size(); ++k) graph.mutable_value(node.outputs[k]).type = (*out)[k];
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<NDArray>> EvaluateNode(const Node& node,
                                                  const std::vector<NDArray>& inputs) {
  auto def = OpRegistry().Find(node.op);
  if (!def.ok()) return def.status();
  auto out = def->evaluate(node, inputs);
  if (!out.ok()) {
    return absl::Status(out.status().code(),
                        absl::StrCat(NodeLabel(node), ": ", out.status().message()));
  }
  return out;
}

absl::StatusOr<std::vector<NDArray>> Evaluate(
    const Graph& graph, const absl::flat_hash_map<std::string, NDArray>& inputs) {
  std::vector<NDArray> values(graph.values().size());
  for (int id : graph.inputs()) {
    const Value& v = graph.value(id);
    auto it = inputs.find(v.name);
    if (it == inputs.end()) {
      return absl::InvalidArgumentError(absl::StrCat("missing input '", v.name, "'"));
    }
    if (it->second.shape() != v.type.shape || it->second.dtype() != v.type.dtype) {
      return absl::InvalidArgumentError(absl::StrCat(
          "input '", v.name, "' is ", runtime::DTypeName(it->second.dtype()),
          it->second.ShapeString(), "; the model expects ", v.type.ToString()));
    }
    values[id] = it->second;
  }
  for (size_t v = 0; v < graph.values().size(); ++v) {
    if (graph.values()[v].constant) values[v] = *graph.values()[v].constant;
  }
  for (const Node& node : graph.nodes()) {
    std::vector<NDArray> in;
    for (int id : node.inputs) in.push_back(id < 0 ? NDArray() : values[id]);
    auto out = EvaluateNode(node, in);
    if (!out.ok()) return out.status();
    for (size_t k = 0; k < node.outputs.size() && k < out->size(); ++k) {
      values[node.outputs[k]] = (*out)[k];
    }
  }
  std::vector<NDArray> outputs;
  for (int id : graph.outputs()) outputs.push_back(values[id]);
  return outputs;
}

}  // namespace kiln::graph

#include "ir/graph/graph.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runtime/ndarray.h"

namespace kiln::graph {
namespace {

template <typename T>
absl::StatusOr<T> Get(const Node& node, const std::string& key, std::optional<T> def,
                      const char* type_name) {
  auto it = node.attrs.find(key);
  if (it == node.attrs.end()) {
    if (def) return *def;
    return absl::InvalidArgumentError(
        absl::StrCat(NodeLabel(node), " needs attribute '", key, "'"));
  }
  if (const T* v = std::get_if<T>(&it->second)) return *v;
  return absl::InvalidArgumentError(
      absl::StrCat("attribute '", key, "' of ", NodeLabel(node), " must be ", type_name));
}

std::string AttrToString(const AttrValue& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return absl::StrCat(*i);
  if (const auto* f = std::get_if<double>(&v)) return absl::StrCat(*f);
  if (const auto* s = std::get_if<std::string>(&v)) return absl::StrCat("\"", *s, "\"");
  if (const auto* is = std::get_if<std::vector<int64_t>>(&v)) {
    return absl::StrCat("[", absl::StrJoin(*is, ", "), "]");
  }
  return absl::StrCat("[", absl::StrJoin(std::get<std::vector<double>>(v), ", "), "]");
}

}  // namespace

std::string NodeLabel(const Node& node) {
  if (node.name.empty()) return absl::StrCat("an unnamed ", node.op, " node");
  return absl::StrCat("node '", node.name, "' (", node.op, ")");
}

std::string Graph::NodeLabel(int index) const {
  const Node& node = nodes_[index];
  if (!node.name.empty()) return graph::NodeLabel(node);
  std::string label = absl::StrCat(node.op, " node #", index);
  if (!node.outputs.empty() && node.outputs[0] >= 0 &&
      node.outputs[0] < static_cast<int>(values_.size())) {
    absl::StrAppend(&label, " (output '", values_[node.outputs[0]].name, "')");
  }
  return label;
}

std::string TensorType::ToString() const {
  return absl::StrCat(runtime::DTypeName(dtype), runtime::ShapeToString(shape));
}

absl::StatusOr<int64_t> Node::Int(const std::string& key, std::optional<int64_t> def) const {
  return Get<int64_t>(*this, key, def, "an integer");
}
absl::StatusOr<double> Node::Float(const std::string& key, std::optional<double> def) const {
  auto it = attrs.find(key);
  if (it != attrs.end()) {
    if (const auto* i = std::get_if<int64_t>(&it->second)) return static_cast<double>(*i);
  }
  return Get<double>(*this, key, def, "a float");
}
absl::StatusOr<std::string> Node::String(const std::string& key,
                                         std::optional<std::string> def) const {
  return Get<std::string>(*this, key, def, "a string");
}
absl::StatusOr<std::vector<int64_t>> Node::Ints(const std::string& key,
                                                std::optional<std::vector<int64_t>> def) const {
  return Get<std::vector<int64_t>>(*this, key, def, "a list of integers");
}

absl::StatusOr<std::vector<double>> Node::Floats(const std::string& key,
                                                std::optional<std::vector<double>> def) const {
  return Get<std::vector<double>>(*this, key, def, "a list of floats");
}

int Graph::AddInput(std::string name, TensorType type) {
  const int id = AddValue(std::move(name), std::move(type));
  inputs_.push_back(id);
  return id;
}

int Graph::AddConstant(std::string name, NDArray data) {
  const int id = AddValue(std::move(name), TensorType{data.dtype(), data.shape()});
  values_[id].constant = std::move(data);
  return id;
}

int Graph::AddValue(std::string name, TensorType type) {
  values_.push_back(Value{std::move(name), std::move(type), std::nullopt, -1});
  return static_cast<int>(values_.size()) - 1;
}

int Graph::AddNode(Node node) {
  const int index = static_cast<int>(nodes_.size());
  for (int out : node.outputs) {
    if (out >= 0 && out < static_cast<int>(values_.size())) values_[out].producer = index;
  }
  nodes_.push_back(std::move(node));
  return index;
}

void Graph::SetOutputs(std::vector<int> outputs, std::vector<std::string> names) {
  if (names.empty()) {
    for (int out : outputs) {
      names.push_back(out >= 0 && out < static_cast<int>(values_.size()) ? values_[out].name : "");
    }
  }
  outputs_ = std::move(outputs);
  output_names_ = std::move(names);
}

absl::Status Graph::Verify() const {
  std::vector<bool> defined(values_.size(), false);
  for (int id : inputs_) defined[id] = true;
  for (size_t v = 0; v < values_.size(); ++v) {
    if (values_[v].constant) defined[v] = true;
  }
  for (int index = 0; index < static_cast<int>(nodes_.size()); ++index) {
    const Node& node = nodes_[index];
    for (int in : node.inputs) {
      if (in == -1) continue;
      if (in < 0 || in >= static_cast<int>(values_.size())) {
        return absl::InternalError(absl::StrCat(NodeLabel(index), " reads value id ", in,
                                                " of ", values_.size()));
      }
      if (!defined[in]) {
        return absl::InvalidArgumentError(absl::StrCat(
            NodeLabel(index), " reads '", values_[in].name,
            "' before anything defines it (the graph is not in topological order, or the "
            "value is never produced)"));
      }
    }
    for (int out : node.outputs) {
      if (out < 0 || out >= static_cast<int>(values_.size())) {
        return absl::InternalError(absl::StrCat(NodeLabel(index), " writes value id ", out));
      }
      if (defined[out]) {
        return absl::InvalidArgumentError(
            absl::StrCat("value '", values_[out].name, "' is defined twice"));
      }
      defined[out] = true;
    }
  }
  for (int out : outputs_) {
    if (out < 0 || out >= static_cast<int>(values_.size()) || !defined[out]) {
      return absl::InvalidArgumentError("a graph output is never computed");
    }
  }
  if (output_names_.size() != outputs_.size()) {
    return absl::InternalError(absl::StrCat("the graph has ", outputs_.size(), " outputs but ",
                                            output_names_.size(), " output names"));
  }
  return absl::OkStatus();
}

std::string Graph::ToString() const {
  std::string s;
  auto name = [&](int id) { return id < 0 ? std::string("_") : absl::StrCat("%", values_[id].name); };
  for (int id : inputs_) absl::StrAppend(&s, "input ", name(id), ": ", values_[id].type.ToString(), "\n");
  std::vector<bool> used(values_.size(), false);
  for (const Node& node : nodes_) {
    for (int i : node.inputs) {
      if (i >= 0) used[i] = true;
    }
  }
  for (int o : outputs_) used[o] = true;
  for (size_t id = 0; id < values_.size(); ++id) {
    if (used[id] && values_[id].constant) {
      absl::StrAppend(&s, "const ", name(static_cast<int>(id)), ": ",
                      values_[id].type.ToString(), "\n");
    }
  }
  for (const Node& node : nodes_) {
    std::vector<std::string> outs, ins, attrs;
    for (int o : node.outputs) outs.push_back(absl::StrCat(name(o), ": ", values_[o].type.ToString()));
    for (int i : node.inputs) ins.push_back(name(i));
    std::vector<std::string> keys;
    for (const auto& [k, v] : node.attrs) keys.push_back(k);
    std::sort(keys.begin(), keys.end());
    for (const std::string& k : keys) attrs.push_back(absl::StrCat(k, "=", AttrToString(node.attrs.at(k))));
    absl::StrAppend(&s, absl::StrJoin(outs, ", "), " = ", node.op, "(", absl::StrJoin(ins, ", "),
                    ")", attrs.empty() ? "" : absl::StrCat(" {", absl::StrJoin(attrs, ", "), "}"),
                    "\n");
  }
  std::vector<std::string> outs;
  for (size_t k = 0; k < outputs_.size(); ++k) {
    const int o = outputs_[k];
    const bool renamed = k < output_names_.size() && output_names_[k] != values_[o].name;
    outs.push_back(renamed ? absl::StrCat(name(o), " as '", output_names_[k], "'") : name(o));
  }
  absl::StrAppend(&s, "output ", absl::StrJoin(outs, ", "), "\n");
  return s;
}

}  // namespace kiln::graph

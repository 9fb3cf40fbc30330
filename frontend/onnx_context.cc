#include "frontend/onnx_context.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "ir/graph/op_registry.h"

namespace kiln::frontend {

using graph::NDArray;
using graph::TensorType;

// ---- tensors ----

absl::StatusOr<std::string> DTypeNameFromOnnx(int onnx_type) {
  switch (onnx_type) {
    case onnx::TensorProto::FLOAT: return std::string("float32");
    case onnx::TensorProto::INT32: return std::string("int32");
    case onnx::TensorProto::INT64: return std::string("int64");
    case onnx::TensorProto::BOOL: return std::string("bool");
    case onnx::TensorProto::UINT8: return std::string("uint8");
    default:
      return absl::UnimplementedError(absl::StrCat(
          "ONNX element type ", onnx::TensorProto::DataType_Name(
                                    static_cast<onnx::TensorProto::DataType>(onnx_type)),
          " is not supported (kiln handles float32, int32, int64, bool, uint8)"));
  }
}

namespace {

// Reads `length` bytes at `offset` of an external data file.
absl::StatusOr<std::string> ReadExternal(const onnx::TensorProto& t, const std::string& dir) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& entry : t.external_data()) {
    if (entry.key() == "location") location = entry.value();
    if ((entry.key() == "offset" && !absl::SimpleAtoi(entry.value(), &offset)) ||
        (entry.key() == "length" && !absl::SimpleAtoi(entry.value(), &length))) {
      return absl::InvalidArgumentError(absl::StrCat("tensor '", t.name(), "' has external ",
                                                     entry.key(), " '", entry.value(),
                                                     "', not a number"));
    }
  }
  if (location.empty() || location.find("..") != std::string::npos || location[0] == '/') {
    return absl::InvalidArgumentError(absl::StrCat(
        "tensor '", t.name(), "' has external data at an invalid location '", location, "'"));
  }
  std::ifstream in(dir + "/" + location, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("external data file '", location, "' of tensor '",
                                            t.name(), "' is missing next to the model"));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string all = buffer.str();
  if (offset < 0 || offset > static_cast<int64_t>(all.size()) ||
      (length >= 0 && offset + length > static_cast<int64_t>(all.size()))) {
    return absl::InvalidArgumentError(
        absl::StrCat("external data of tensor '", t.name(), "' lies outside '", location, "'"));
  }
  return all.substr(offset, length < 0 ? std::string::npos : length);
}

}  // namespace

absl::StatusOr<NDArray> TensorFromProto(const onnx::TensorProto& t, const std::string& dir) {
  auto name = DTypeNameFromOnnx(t.data_type());
  if (!name.ok()) return name.status();
  auto dtype = runtime::ParseDType(*name);
  if (!dtype.ok()) return dtype.status();
  std::vector<int64_t> shape(t.dims().begin(), t.dims().end());
  for (int64_t d : shape) {
    if (d < 0) return absl::InvalidArgumentError(absl::StrCat("tensor '", t.name(), "' has a negative dimension"));
  }
  auto array = NDArray::Empty(shape, *dtype);
  if (!array.ok()) return array.status();
  const int64_t n = array->NumElements();
  std::string raw;
  const bool external = t.data_location() == onnx::TensorProto::EXTERNAL;
  if (external) {
    auto data = ReadExternal(t, dir);
    if (!data.ok()) return data.status();
    raw = *std::move(data);
  } else if (t.has_raw_data()) {
    raw = t.raw_data();
  }
  if (external || t.has_raw_data()) {
    if (static_cast<int64_t>(raw.size()) != array->NumBytes()) {
      return absl::InvalidArgumentError(absl::StrCat("tensor '", t.name(), "' holds ", raw.size(),
                                                     " bytes; its shape needs ",
                                                     array->NumBytes()));
    }
    if (!raw.empty()) std::memcpy(array->raw_data(), raw.data(), raw.size());
    return array;
  }
  auto check = [&](int64_t have) -> absl::Status {
    if (have != n) {
      return absl::InvalidArgumentError(absl::StrCat("tensor '", t.name(), "' holds ", have,
                                                     " values; its shape needs ", n));
    }
    return absl::OkStatus();
  };
  switch (*dtype) {
    case runtime::DType::kFloat32:
      if (auto st = check(t.float_data_size()); !st.ok()) return st;
      for (int64_t i = 0; i < n; ++i) array->data<float>()[i] = t.float_data(i);
      break;
    case runtime::DType::kInt64:
      if (auto st = check(t.int64_data_size()); !st.ok()) return st;
      for (int64_t i = 0; i < n; ++i) array->data<int64_t>()[i] = t.int64_data(i);
      break;
    default:  // int32, bool and uint8 live in int32_data
      if (auto st = check(t.int32_data_size()); !st.ok()) return st;
      for (int64_t i = 0; i < n; ++i) {
        if (*dtype == runtime::DType::kInt32) array->data<int32_t>()[i] = t.int32_data(i);
        else array->data<uint8_t>()[i] = static_cast<uint8_t>(t.int32_data(i));
      }
  }
  return array;
}

// ---- the context ----

absl::StatusOr<int> ImportContext::Lookup(const std::string& name) const {
  auto it = names_.find(name);
  if (it == names_.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("value '", name, "' is used before any node produces it"));
  }
  return it->second;
}

absl::StatusOr<int> ImportContext::Input(int i) const {
  if (!HasInput(i)) return -1;
  return Lookup(node_->input(i));
}

const TensorType& ImportContext::InputType(int i) const {
  return graph_->value(*Input(i)).type;
}

std::optional<NDArray> ImportContext::InputConstant(int i) const {
  auto id = Input(i);
  if (!id.ok() || *id < 0) return std::nullopt;
  return graph_->value(*id).constant;
}

absl::StatusOr<std::vector<int64_t>> ImportContext::ConstantInts(int i, const char* what) const {
  auto data = InputConstant(i);
  if (!data) {
    return Unsupported(absl::StrCat(what, " computed at run time (kiln needs it constant)"));
  }
  std::vector<int64_t> out;
  for (int64_t k = 0; k < data->NumElements(); ++k) {
    switch (data->dtype()) {
      case runtime::DType::kInt64: out.push_back(data->data<int64_t>()[k]); break;
      case runtime::DType::kInt32: out.push_back(data->data<int32_t>()[k]); break;
      default: return Invalid(absl::StrCat(what, " must be an integer tensor"));
    }
  }
  return out;
}

const onnx::AttributeProto* ImportContext::Attr(const std::string& name) const {
  for (const auto& a : node_->attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

absl::StatusOr<int64_t> ImportContext::AttrInt(const std::string& name,
                                               std::optional<int64_t> def) const {
  const auto* a = Attr(name);
  if (!a) {
    if (def) return *def;
    return Invalid(absl::StrCat("attribute '", name, "' is required"));
  }
  if (a->type() != onnx::AttributeProto::INT) return Invalid(absl::StrCat("attribute '", name, "' must be an int"));
  return a->i();
}

absl::StatusOr<double> ImportContext::AttrFloat(const std::string& name,
                                                std::optional<double> def) const {
  const auto* a = Attr(name);
  if (!a) {
    if (def) return *def;
    return Invalid(absl::StrCat("attribute '", name, "' is required"));
  }
  if (a->type() != onnx::AttributeProto::FLOAT) return Invalid(absl::StrCat("attribute '", name, "' must be a float"));
  return a->f();
}

absl::StatusOr<std::string> ImportContext::AttrString(const std::string& name,
                                                      std::optional<std::string> def) const {
  const auto* a = Attr(name);
  if (!a) {
    if (def) return *def;
    return Invalid(absl::StrCat("attribute '", name, "' is required"));
  }
  if (a->type() != onnx::AttributeProto::STRING) return Invalid(absl::StrCat("attribute '", name, "' must be a string"));
  return a->s();
}

absl::StatusOr<std::vector<int64_t>> ImportContext::AttrInts(
    const std::string& name, std::optional<std::vector<int64_t>> def) const {
  const auto* a = Attr(name);
  if (!a) {
    if (def) return *def;
    return Invalid(absl::StrCat("attribute '", name, "' is required"));
  }
  if (a->type() != onnx::AttributeProto::INTS) return Invalid(absl::StrCat("attribute '", name, "' must be a list of ints"));
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

std::string OnnxNodeLabel(const onnx::NodeProto& node, int64_t opset) {
  // Most ONNX nodes have no name: those are named by their first output.
  if (node.name().empty() && node.output_size() > 0) {
    return absl::StrCat(node.op_type(), " node (output '", node.output(0), "', opset ", opset, ")");
  }
  return absl::StrCat("node '", node.name(), "' (", node.op_type(), ", opset ", opset, ")");
}

absl::Status ImportContext::Unsupported(const std::string& what) const {
  return absl::UnimplementedError(
      absl::StrCat(OnnxNodeLabel(*node_, opset_), ": ", what, " is not supported"));
}

absl::Status ImportContext::Invalid(const std::string& what) const {
  return absl::InvalidArgumentError(absl::StrCat(OnnxNodeLabel(*node_, opset_), ": ", what));
}

absl::Status ImportContext::Emit(const std::string& op, const std::vector<int>& inputs,
                                 absl::flat_hash_map<std::string, graph::AttrValue> attrs,
                                 int num_outputs) {
  auto ids = AddOperator(op, inputs, std::move(attrs), num_outputs, /*bind=*/true);
  return ids.status();
}

absl::StatusOr<int> ImportContext::EmitStep(
    const std::string& op, const std::vector<int>& inputs,
    absl::flat_hash_map<std::string, graph::AttrValue> attrs) {
  auto ids = AddOperator(op, inputs, std::move(attrs), 1, /*bind=*/false);
  if (!ids.ok()) return ids.status();
  return (*ids)[0];
}

absl::StatusOr<std::vector<int>> ImportContext::AddOperator(
    const std::string& op, const std::vector<int>& inputs,
    absl::flat_hash_map<std::string, graph::AttrValue> attrs, int num_outputs, bool bind) {
  graph::Node n;
  n.name = node_->name().empty() ? absl::StrCat(node_->op_type(), "_", graph_->nodes().size())
                                 : node_->name();
  if (!bind) absl::StrAppend(&n.name, "/", op, "_", graph_->values().size());
  n.op = op;
  n.inputs = inputs;
  n.attrs = std::move(attrs);
  auto def = graph::OpRegistry().Find(op);
  if (!def.ok()) return Unsupported(absl::StrCat("kiln operator '", op, "'"));
  std::vector<const TensorType*> types;
  bool all_constant = true;
  std::vector<NDArray> values;
  for (int id : inputs) {
    types.push_back(id < 0 ? nullptr : &graph_->value(id).type);
    if (id >= 0) {
      all_constant &= graph_->value(id).constant.has_value();
      values.push_back(graph_->value(id).constant ? *graph_->value(id).constant : NDArray());
    } else {
      values.emplace_back();
    }
  }
  auto out_types = def->infer(n, types);
  if (!out_types.ok()) {
    if (out_types.status().code() == absl::StatusCode::kUnimplemented) {
      return Unsupported(std::string(out_types.status().message()));
    }
    return Invalid(std::string(out_types.status().message()));
  }
  if (static_cast<int>(out_types->size()) != num_outputs) {
    return Invalid(absl::StrCat("produces ", out_types->size(), " outputs, expected ", num_outputs));
  }
  // A step of a multi-operator conversion is named after its node, so it
  // never takes an ONNX name.
  auto output_name = [&](int k) {
    return bind && k < node_->output_size() && !node_->output(k).empty()
               ? node_->output(k)
               : absl::StrCat(n.name, ":", k);
  };
  std::vector<int> ids;
  if (all_constant) {
    auto folded = graph::EvaluateNode(n, values);
    if (!folded.ok()) return Invalid(std::string(folded.status().message()));
    for (int k = 0; k < num_outputs; ++k) {
      ids.push_back(graph_->AddConstant(output_name(k), (*folded)[k]));
    }
  } else {
    for (int k = 0; k < num_outputs; ++k) {
      ids.push_back(graph_->AddValue(output_name(k), (*out_types)[k]));
      n.outputs.push_back(ids.back());
    }
    graph_->AddNode(std::move(n));
  }
  if (bind) {
    for (int k = 0; k < num_outputs && k < node_->output_size(); ++k) {
      Bind(node_->output(k), ids[k]);
    }
  }
  return ids;
}

void ImportContext::Alias(int value, int output) { Bind(node_->output(output), value); }

void ImportContext::EmitConstant(NDArray data, int output) {
  Bind(node_->output(output), graph_->AddConstant(node_->output(output), std::move(data)));
}

}  // namespace kiln::frontend

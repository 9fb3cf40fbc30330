#include "frontend/onnx_importer.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "frontend/onnx_context.h"
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

namespace {

// Most ONNX nodes have no name: those are named by their first output.
std::string OnnxNodeLabel(const onnx::NodeProto& node, int64_t opset) {
  if (node.name().empty() && node.output_size() > 0) {
    return absl::StrCat(node.op_type(), " node (output '", node.output(0), "', opset ", opset, ")");
  }
  return absl::StrCat("node '", node.name(), "' (", node.op_type(), ", opset ", opset, ")");
}

}  // namespace

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
  graph::Node n;
  n.name = node_->name().empty() ? absl::StrCat(node_->op_type(), "_", graph_->nodes().size())
                                 : node_->name();
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
  auto output_name = [&](int k) {
    return k < node_->output_size() && !node_->output(k).empty()
               ? node_->output(k)
               : absl::StrCat(n.name, ":", k);
  };
  if (all_constant) {
    auto folded = graph::EvaluateNode(n, values);
    if (!folded.ok()) return Invalid(std::string(folded.status().message()));
    for (int k = 0; k < num_outputs; ++k) {
      const int id = graph_->AddConstant(output_name(k), (*folded)[k]);
      if (k < node_->output_size()) Bind(node_->output(k), id);
    }
    return absl::OkStatus();
  }
  for (int k = 0; k < num_outputs; ++k) {
    const int id = graph_->AddValue(output_name(k), (*out_types)[k]);
    n.outputs.push_back(id);
    if (k < node_->output_size()) Bind(node_->output(k), id);
  }
  graph_->AddNode(std::move(n));
  return absl::OkStatus();
}

void ImportContext::Alias(int value) { Bind(node_->output(0), value); }

void ImportContext::EmitConstant(NDArray data) {
  Bind(node_->output(0), graph_->AddConstant(node_->output(0), std::move(data)));
}

// ---- the importer ----

namespace {

bool IsFixed(const onnx::TensorShapeProto::Dimension& dim) {
  return dim.has_dim_value() && dim.dim_value() >= 0;
}

// "[N,3,224,224]" (symbolic dimensions by name, unnamed ones as ?), or with
// `example`, "[1,3,224,224]": a shape --input_shapes may give.
std::string ShapeString(const onnx::TensorShapeProto& shape, bool example) {
  std::vector<std::string> dims;
  for (const auto& dim : shape.dim()) {
    if (IsFixed(dim)) {
      dims.push_back(absl::StrCat(dim.dim_value()));
    } else {
      dims.push_back(example ? "1" : dim.has_dim_param() ? dim.dim_param() : "?");
    }
  }
  return absl::StrCat("[", absl::StrJoin(dims, ","), "]");
}

absl::StatusOr<TensorType> InputType(const onnx::ValueInfoProto& info,
                                     const InputShapes& shapes) {
  if (!info.type().has_tensor_type()) {
    return absl::UnimplementedError(absl::StrCat("input '", info.name(), "' is not a tensor"));
  }
  const auto& tt = info.type().tensor_type();
  auto name = DTypeNameFromOnnx(tt.elem_type());
  if (!name.ok()) return name.status();
  TensorType t{*runtime::ParseDType(*name), {}};
  if (auto it = shapes.find(info.name()); it != shapes.end()) {
    t.shape = it->second;
    if (tt.has_shape() && tt.shape().dim_size() != static_cast<int>(t.shape.size())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "input '", info.name(), "' has rank ", tt.shape().dim_size(), "; the given shape ",
          runtime::ShapeToString(t.shape), " has rank ", t.shape.size()));
    }
    for (int i = 0; tt.has_shape() && i < tt.shape().dim_size(); ++i) {
      const auto& dim = tt.shape().dim(i);
      if (IsFixed(dim) && dim.dim_value() != t.shape[i]) {
        return absl::InvalidArgumentError(absl::StrCat(
            "input '", info.name(), "' is declared ", ShapeString(tt.shape(), false),
            " by the model; the given shape ", runtime::ShapeToString(t.shape),
            " differs in dimension ", i, " (", t.shape[i], " instead of ", dim.dim_value(),
            "); only dimensions the model leaves open can be chosen"));
      }
    }
    return t;
  }
  if (!tt.has_shape()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "input '", info.name(), "' has no shape in the model; give it with --input_shapes"));
  }
  for (const auto& dim : tt.shape().dim()) {
    if (!dim.has_dim_value() || dim.dim_value() < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "input '", info.name(), "' has a dynamic dimension",
          dim.has_dim_param() ? absl::StrCat(" '", dim.dim_param(), "'") : std::string(),
          "; fix it with --input_shapes, e.g. \"", info.name(), ":",
          ShapeString(tt.shape(), true), "\""));
    }
    t.shape.push_back(dim.dim_value());
  }
  return t;
}

}  // namespace

absl::StatusOr<graph::Graph> ImportOnnxBytes(const std::string& bytes,
                                             const InputShapes& input_shapes,
                                             const std::string& model_dir) {
  onnx::ModelProto model;
  if (bytes.empty() || !model.ParseFromString(bytes)) {
    return absl::InvalidArgumentError(
        "not an ONNX model: the protobuf does not parse (truncated or corrupt file?)");
  }
  if (!model.has_graph()) return absl::InvalidArgumentError("the ONNX model has no graph");
  int64_t opset = -1;
  for (const auto& imp : model.opset_import()) {
    if (imp.domain().empty() || imp.domain() == "ai.onnx") opset = imp.version();
  }
  if (opset < 0 && model.opset_import_size() == 0) opset = 1;
  if (opset < 7 || opset > 18) {
    return absl::UnimplementedError(
        absl::StrCat("ONNX opset ", opset, " is not supported; kiln reads opsets 7 to 18"));
  }
  graph::Graph g;
  ImportContext ctx(&g, opset, model_dir);
  const onnx::GraphProto& proto = model.graph();
  absl::flat_hash_map<std::string, bool> is_initializer;
  for (const auto& init : proto.initializer()) {
    auto data = TensorFromProto(init, model_dir);
    if (!data.ok()) return data.status();
    ctx.Bind(init.name(), g.AddConstant(init.name(), *std::move(data)));
    is_initializer[init.name()] = true;
  }
  for (const auto& [name, shape] : input_shapes) {
    bool found = false;
    for (const auto& in : proto.input()) found |= in.name() == name;
    if (!found) {
      std::vector<std::string> names;
      for (const auto& in : proto.input()) {
        if (!is_initializer.contains(in.name())) names.push_back(in.name());
      }
      return absl::InvalidArgumentError(absl::StrCat("the model has no input '", name,
                                                     "'; its inputs are: ",
                                                     absl::StrJoin(names, ", ")));
    }
  }
  // IR version 3 files list initializers among the inputs too.
  for (const auto& in : proto.input()) {
    if (is_initializer.contains(in.name())) continue;
    auto type = InputType(in, input_shapes);
    if (!type.ok()) return type.status();
    ctx.Bind(in.name(), g.AddInput(in.name(), *type));
  }
  for (const auto& node : proto.node()) {
    if (!node.domain().empty() && node.domain() != "ai.onnx") {
      return absl::UnimplementedError(absl::StrCat(OnnxNodeLabel(node, opset), " from domain '",
                                                   node.domain(), "' is not supported"));
    }
    const Converter* convert = FindConverter(node.op_type());
    ctx.Begin(&node);
    if (convert == nullptr) return ctx.Unsupported(absl::StrCat("operator ", node.op_type()));
    for (int i = 0; i < node.input_size(); ++i) {
      if (!node.input(i).empty() && !ctx.Lookup(node.input(i)).ok()) {
        return ctx.Invalid(absl::StrCat("input '", node.input(i), "' is not defined before it"));
      }
    }
    if (auto st = (*convert)(ctx); !st.ok()) return st;
  }
  std::vector<int> outputs;
  for (const auto& out : proto.output()) {
    auto id = ctx.Lookup(out.name());
    if (!id.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("graph output '", out.name(), "' is never produced"));
    }
    outputs.push_back(*id);
  }
  g.SetOutputs(std::move(outputs));
  if (auto st = g.Verify(); !st.ok()) return st;
  return g;
}

namespace {

absl::StatusOr<std::string> ReadModelFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open model '", path, "'"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

absl::StatusOr<std::vector<DeclaredInput>> ReadOnnxInputs(const std::string& path) {
  auto bytes = ReadModelFile(path);
  if (!bytes.ok()) return bytes.status();
  onnx::ModelProto model;
  if (bytes->empty() || !model.ParseFromString(*bytes)) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is not an ONNX model"));
  }
  absl::flat_hash_map<std::string, bool> is_initializer;
  for (const auto& init : model.graph().initializer()) is_initializer[init.name()] = true;
  std::vector<DeclaredInput> inputs;
  for (const auto& in : model.graph().input()) {
    if (is_initializer.contains(in.name())) continue;
    const auto& tt = in.type().tensor_type();
    if (!tt.has_shape()) {
      inputs.push_back({in.name(), "?", "[d0,d1,...]"});
      continue;
    }
    inputs.push_back({in.name(), ShapeString(tt.shape(), false), ShapeString(tt.shape(), true)});
  }
  return inputs;
}

absl::StatusOr<graph::Graph> ImportOnnxFile(const std::string& path,
                                            const InputShapes& input_shapes) {
  auto bytes = ReadModelFile(path);
  if (!bytes.ok()) return bytes.status();
  const size_t slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  auto g = ImportOnnxBytes(*bytes, input_shapes, dir);
  if (!g.ok()) {
    return absl::Status(g.status().code(), absl::StrCat(path, ": ", g.status().message()));
  }
  return g;
}

}  // namespace kiln::frontend

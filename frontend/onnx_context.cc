#include "frontend/onnx_context.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "frontend/memory_budget.h"
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
    case onnx::TensorProto::INT8: return std::string("int8");
    case onnx::TensorProto::INT16: return std::string("int16");
    case onnx::TensorProto::UINT16: return std::string("uint16");
    case onnx::TensorProto::UINT32: return std::string("uint32");
    case onnx::TensorProto::UINT64: return std::string("uint64");
    case onnx::TensorProto::DOUBLE: return std::string("float64");
    case onnx::TensorProto::FLOAT16: return std::string("float16");
    case onnx::TensorProto::BFLOAT16: return std::string("bfloat16");
    default:
      return absl::UnimplementedError(absl::StrCat(
          "ONNX element type ", onnx::TensorProto::DataType_Name(
                                    static_cast<onnx::TensorProto::DataType>(onnx_type)),
          " is not supported (kiln handles bool, float16, bfloat16, float32, float64, "
          "int8/16/32/64 and uint8/16/32/64)"));
  }
}

namespace {

// The `length` bytes (by default `expected_bytes`) at `offset` of an
// external data file. As ONNX Runtime does, the file must lie inside the
// model's folder: a relative location without "..", which also does not
// leave the folder through a symbolic link.
absl::StatusOr<std::string> ReadExternal(const onnx::TensorProto& t, const std::string& dir,
                                         int64_t expected_bytes) {
  std::string location;
  int64_t offset = 0, length = expected_bytes;
  for (const auto& entry : t.external_data()) {
    if (entry.key() == "location") location = entry.value();
    if ((entry.key() == "offset" && !absl::SimpleAtoi(entry.value(), &offset)) ||
        (entry.key() == "length" && !absl::SimpleAtoi(entry.value(), &length))) {
      return absl::InvalidArgumentError(absl::StrCat("tensor '", t.name(), "' has external ",
                                                     entry.key(), " '", entry.value(),
                                                     "', not a number"));
    }
  }
  const std::filesystem::path relative(location);
  const bool climbs = std::any_of(relative.begin(), relative.end(),
                                  [](const std::filesystem::path& part) { return part == ".."; });
  if (location.empty() || relative.is_absolute() || climbs ||
      location.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tensor '", t.name(), "' has external data at the location '", location,
        "'; expected a file name relative to the model's folder, without '..'"));
  }
  std::error_code error;
  const std::filesystem::path folder = std::filesystem::weakly_canonical(dir, error);
  const std::filesystem::path file =
      error ? std::filesystem::path() : std::filesystem::weakly_canonical(folder / relative, error);
  const auto [folder_end, file_at] =
      std::mismatch(folder.begin(), folder.end(), file.begin(), file.end());
  if (!error && folder_end != folder.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("external data '", location, "' of tensor '", t.name(),
                     "' leads out of the model's folder (a symbolic link?)"));
  }
  if (error || !std::filesystem::is_regular_file(file, error)) {
    return absl::NotFoundError(absl::StrCat("external data file '", location, "' of tensor '",
                                            t.name(), "' is missing next to the model"));
  }
  const auto size = static_cast<int64_t>(std::filesystem::file_size(file, error));
  if (error || offset < 0 || length < 0 || offset > size || length > size - offset) {
    return absl::InvalidArgumentError(
        absl::StrCat("external data of tensor '", t.name(), "' (offset ", offset, ", length ",
                     length, ") lies outside '", location, "'"));
  }
  // A length that disagrees with the shape is refused before reading it.
  if (length != expected_bytes) {
    return absl::InvalidArgumentError(absl::StrCat("tensor '", t.name(), "' holds ", length,
                                                   " bytes of external data; its shape needs ",
                                                   expected_bytes));
  }
  std::ifstream in(file, std::ios::binary);
  std::string data(length, '\0');
  in.seekg(offset);
  in.read(data.data(), length);
  if (!in) {
    return absl::DataLossError(
        absl::StrCat("cannot read the external data of tensor '", t.name(), "' from '", location, "'"));
  }
  return data;
}

}  // namespace

absl::StatusOr<NDArray> TensorFromProto(const onnx::TensorProto& t, const std::string& dir,
                                        int64_t memory_budget) {
  auto name = DTypeNameFromOnnx(t.data_type());
  if (!name.ok()) return name.status();
  auto dtype = runtime::ParseDType(*name);
  if (!dtype.ok()) return dtype.status();
  std::vector<int64_t> shape(t.dims().begin(), t.dims().end());
  auto bytes =
      CheckTensorBytes(absl::StrCat("tensor '", t.name(), "'"), shape, *dtype, memory_budget);
  if (!bytes.ok()) return bytes.status();
  const int64_t n = *bytes / runtime::DTypeBytes(*dtype);
  // The data's size is checked against the shape before anything is
  // allocated for the shape.
  std::string raw;
  const bool external = t.data_location() == onnx::TensorProto::EXTERNAL;
  if (external) {
    auto data = ReadExternal(t, dir, *bytes);
    if (!data.ok()) return data.status();
    raw = *std::move(data);
  } else if (t.has_raw_data()) {
    raw = t.raw_data();
  }
  if ((external || t.has_raw_data()) && static_cast<int64_t>(raw.size()) != *bytes) {
    return absl::InvalidArgumentError(absl::StrCat("tensor '", t.name(), "' holds ", raw.size(),
                                                   " bytes; its shape ",
                                                   runtime::ShapeToString(shape), " needs ",
                                                   *bytes));
  }
  auto array = NDArray::Empty(shape, *dtype);
  if (!array.ok()) return array.status();
  if (external || t.has_raw_data()) {
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
  // Each type's values live in the field ONNX's TensorProto names for it;
  // the narrow types and the 16-bit floats' bits in int32_data.
  auto fill = [&](const auto& field, auto store) -> absl::Status {
    if (auto st = check(field.size()); !st.ok()) return st;
    for (int64_t i = 0; i < n; ++i) store(i, field.Get(i));
    return absl::OkStatus();
  };
  auto as = [&](auto type_tag) {
    using T = decltype(type_tag);
    return [&](int64_t i, auto v) { array->data<T>()[i] = static_cast<T>(v); };
  };
  absl::Status filled;
  switch (*dtype) {
    case runtime::DType::kFloat32: filled = fill(t.float_data(), as(float())); break;
    case runtime::DType::kFloat64: filled = fill(t.double_data(), as(double())); break;
    case runtime::DType::kInt64: filled = fill(t.int64_data(), as(int64_t())); break;
    case runtime::DType::kUInt32: filled = fill(t.uint64_data(), as(uint32_t())); break;
    case runtime::DType::kUInt64: filled = fill(t.uint64_data(), as(uint64_t())); break;
    case runtime::DType::kInt32: filled = fill(t.int32_data(), as(int32_t())); break;
    case runtime::DType::kInt8: filled = fill(t.int32_data(), as(int8_t())); break;
    case runtime::DType::kInt16: filled = fill(t.int32_data(), as(int16_t())); break;
    case runtime::DType::kUInt16:
    case runtime::DType::kFloat16:
    case runtime::DType::kBFloat16: filled = fill(t.int32_data(), as(uint16_t())); break;
    case runtime::DType::kBool:
    case runtime::DType::kUInt8: filled = fill(t.int32_data(), as(uint8_t())); break;
  }
  if (!filled.ok()) return filled;
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

absl::StatusOr<graph::NDArray> ImportContext::RequiredConstant(int i, const char* what) {
  if (std::optional<graph::NDArray> data = InputConstant(i)) return *std::move(data);
  const std::string runtime = absl::StrCat(what, " computed at run time (kiln needs it constant)");
  auto id = Input(i);
  if (!id.ok() || *id < 0) return Unsupported(runtime);
  // The value is a graph input, or computed from graph inputs by nodes
  // already converted: find both.
  std::vector<int> inputs, nodes, pending = {*id};
  absl::flat_hash_set<int> seen = {*id};
  while (!pending.empty()) {
    const int v = pending.back();
    pending.pop_back();
    const graph::Value& value = graph_->value(v);
    if (value.constant) continue;
    if (value.producer < 0) {
      inputs.push_back(v);
      continue;
    }
    nodes.push_back(value.producer);
    for (int in : graph_->nodes()[value.producer].inputs) {
      if (in >= 0 && seen.insert(in).second) pending.push_back(in);
    }
  }
  absl::flat_hash_map<int, graph::NDArray> known;
  for (int in : inputs) {
    const graph::Value& input = graph_->value(in);
    const graph::NDArray* offered = nullptr;
    if (offered_values_ != nullptr) {
      if (auto it = offered_values_->find(input.name); it != offered_values_->end()) {
        offered = &it->second;
      }
    }
    if (offered == nullptr) {
      return absl::UnimplementedError(absl::StrCat(
          OnnxNodeLabel(*node_, opset_), ": ", runtime, " is not supported; it ",
          in == *id ? "is" : "comes from", " the graph input '", input.name,
          "': compile for one value of it with --input_values=FILE.npz (holding '", input.name,
          "'), or run the model file with `kiln run MODEL.onnx --inputs=...`, which binds it "
          "from the inputs"));
    }
    if (offered->dtype() != input.type.dtype || offered->shape() != input.type.shape) {
      return Invalid(absl::StrCat("the value given for input '", input.name, "' is ",
                                  runtime::DTypeName(offered->dtype()), offered->ShapeString(),
                                  ", but the model declares it ", input.type.ToString()));
    }
    known.emplace(in, *offered);
  }
  // Bound: the compiled model checks that every run feeds these values.
  for (int in : inputs) graph_->mutable_value(in).constant = known.at(in);
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  for (int k : nodes) {
    const graph::Node& n = graph_->nodes()[k];
    std::vector<graph::NDArray> args;
    for (int in : n.inputs) {
      if (in < 0) {
        args.emplace_back();
      } else if (graph_->value(in).constant) {
        args.push_back(*graph_->value(in).constant);
      } else {
        args.push_back(known.at(in));
      }
    }
    auto outputs = graph::EvaluateNode(n, args);
    if (!outputs.ok()) return outputs.status();
    for (size_t o = 0; o < n.outputs.size(); ++o) known[n.outputs[o]] = (*outputs)[o];
  }
  return known.at(*id);
}

absl::StatusOr<std::vector<int64_t>> ImportContext::ConstantInts(int i, const char* what) {
  auto data = RequiredConstant(i, what);
  if (!data.ok()) return data.status();
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
  // Before folding allocates the output, or a run's arena would.
  for (int k = 0; k < num_outputs; ++k) {
    const TensorType& type = (*out_types)[k];
    auto bytes = CheckTensorBytes(absl::StrCat("output ", k), type.shape, type.dtype,
                                  memory_budget_);
    if (!bytes.ok()) return Invalid(std::string(bytes.status().message()));
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

absl::StatusOr<std::vector<int>> ImportContext::ConvertSubgraph(const onnx::GraphProto& body,
                                                                const std::vector<int>& inputs) {
  // Nesting is recursion here: a hostile model must not exhaust the stack.
  constexpr int kMaxDepth = 64;
  if (body.input_size() != static_cast<int>(inputs.size())) {
    return Invalid(absl::StrCat("its graph '", body.name(), "' has ", body.input_size(),
                                " inputs; expected ", inputs.size()));
  }
  if (subgraph_depth_ >= kMaxDepth) {
    return Unsupported(absl::StrCat("control flow nested more than ", kMaxDepth, " deep"));
  }
  if (!convert_node_) return absl::InternalError("no node converter for subgraphs");
  const onnx::NodeProto* outer = node_;
  const absl::flat_hash_map<std::string, int> outer_names = names_;
  ++subgraph_depth_;
  auto convert = [&]() -> absl::StatusOr<std::vector<int>> {
    for (int k = 0; k < body.input_size(); ++k) Bind(body.input(k).name(), inputs[k]);
    for (const auto& init : body.initializer()) {
      auto data = TensorFromProto(init, model_dir_, memory_budget_);
      if (!data.ok()) return data.status();
      Bind(init.name(), graph_->AddConstant(init.name(), *std::move(data)));
    }
    for (const auto& node : body.node()) {
      if (auto st = convert_node_(*this, node); !st.ok()) return st;
    }
    std::vector<int> outputs;
    for (const auto& out : body.output()) {
      auto id = Lookup(out.name());
      if (!id.ok()) return id.status();
      outputs.push_back(*id);
    }
    return outputs;
  };
  absl::StatusOr<std::vector<int>> outputs = convert();
  --subgraph_depth_;
  names_ = outer_names;
  node_ = outer;
  return outputs;
}

void ImportContext::EmitConstant(NDArray data, int output) {
  Bind(node_->output(output), graph_->AddConstant(node_->output(output), std::move(data)));
}

}  // namespace kiln::frontend

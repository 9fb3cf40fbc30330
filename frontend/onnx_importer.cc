#include "frontend/onnx_importer.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "frontend/onnx_context.h"
#include "frontend/onnx_converter_registry.h"
#include "onnx/defs/schema.h"

namespace kiln::frontend {

using graph::TensorType;

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

// Names the first dimension of `info` that the model leaves open, and shows
// the flag that binds it with the model's own dimensions (1 for open ones).
absl::Status UnboundDimension(const onnx::ValueInfoProto& info, int axis) {
  const auto& shape = info.type().tensor_type().shape();
  const auto& dim = shape.dim(axis);
  return absl::InvalidArgumentError(absl::StrCat(
      "input '", info.name(), "' has ",
      dim.has_dim_param() && !dim.dim_param().empty()
          ? absl::StrCat("a symbolic dimension '", dim.dim_param(), "'")
          : std::string("a dimension of unknown size"),
      " (axis ", axis, "); bind it with --input_shapes=\"", info.name(), ":",
      ShapeString(shape, /*example=*/true), "\""));
}

// Converters read the inputs and outputs ONNX requires without checking
// for them, so a node must have them: those of its operator's schema at
// `opset` (or, past the newest opset the linked ONNX knows, its newest).
absl::Status CheckRequiredArity(const ImportContext& ctx, const onnx::NodeProto& node,
                                int64_t opset) {
  const onnx::OpSchema* schema = onnx::OpSchemaRegistry::Schema(node.op_type(), opset);
  // kiln converts a few ops in models older than the op (Erf, HardSwish);
  // they take one input and one output.
  const int min_inputs = schema ? schema->min_input() : 1;
  const int min_outputs = schema ? schema->min_output() : 1;
  // An optional input may come before required ones (Scan-8's
  // sequence_lens): those the schema marks optional may be empty.
  const auto optional_input = [&](int i) {
    return schema != nullptr && i < static_cast<int>(schema->inputs().size()) &&
           schema->inputs()[i].GetOption() == onnx::OpSchema::Optional;
  };
  if (node.input_size() < min_inputs) {
    return ctx.Invalid(absl::StrCat("has ", node.input_size(), " inputs; ", node.op_type(),
                                    " requires ", min_inputs));
  }
  for (int i = 0; i < min_inputs; ++i) {
    if (node.input(i).empty() && !optional_input(i)) {
      return ctx.Invalid(absl::StrCat("has no input ", i, "; ", node.op_type(), " requires ",
                                      min_inputs, " input(s)"));
    }
  }
  for (int i = 0; i < min_outputs; ++i) {
    if (i >= node.output_size() || node.output(i).empty()) {
      return ctx.Invalid(absl::StrCat("has no output ", i, "; ", node.op_type(), " requires ",
                                      min_outputs, " output(s)"));
    }
  }
  return absl::OkStatus();
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
  for (int axis = 0; axis < tt.shape().dim_size(); ++axis) {
    const auto& dim = tt.shape().dim(axis);
    if (!dim.has_dim_value() || dim.dim_value() < 0) return UnboundDimension(info, axis);
    t.shape.push_back(dim.dim_value());
  }
  return t;
}

// Converts one node with its registered converter; the nodes of If, Loop
// and Scan bodies come here too (ImportContext::ConvertSubgraph).
absl::Status ConvertNode(ImportContext& ctx, const onnx::NodeProto& node) {
  const OnnxConverterRegistry& converters = OnnxConverters();
  const int64_t opset = ctx.opset();
  if (!node.domain().empty() && node.domain() != "ai.onnx") {
    return absl::UnimplementedError(absl::StrCat(OnnxNodeLabel(node, opset), " from domain '",
                                                 node.domain(), "' is not supported"));
  }
  const OnnxConverterRegistration* converter = converters.Find(node.op_type(), opset);
  ctx.Begin(&node);
  if (converter == nullptr) {
    const std::string opsets = converters.OpsetsOf(node.op_type());
    if (opsets.empty()) return ctx.Unsupported(absl::StrCat("operator ", node.op_type()));
    const onnx::OpSchema* schema = onnx::OpSchemaRegistry::Schema(node.op_type(), opset);
    if (schema != nullptr && schema->Deprecated()) {
      return ctx.Unsupported(absl::StrCat("operator ", node.op_type(),
                                          ", which ONNX deprecated at opset ",
                                          schema->SinceVersion(),
                                          " (kiln converts it at opsets ", opsets, "),"));
    }
    return ctx.Unsupported(absl::StrCat("operator ", node.op_type(), " at opset ", opset,
                                        " (kiln converts it at opsets ", opsets, ")"));
  }
  for (int i = 0; i < node.input_size(); ++i) {
    if (!node.input(i).empty() && !ctx.Lookup(node.input(i)).ok()) {
      return ctx.Invalid(absl::StrCat("input '", node.input(i), "' is not defined before it"));
    }
  }
  for (const std::string& output : node.output()) {
    if (!output.empty() && ctx.Lookup(output).ok()) {
      return ctx.Invalid(absl::StrCat("output '", output,
                                      "' is already defined; every value has one producer"));
    }
  }
  if (auto st = CheckRequiredArity(ctx, node, opset); !st.ok()) return st;
  return converter->convert(ctx);
}

}  // namespace

absl::StatusOr<graph::Graph> ImportOnnxBytes(const std::string& bytes,
                                             const InputShapes& given_shapes,
                                             const std::string& model_dir,
                                             const InputValues& input_values,
                                             int64_t memory_budget) {
  InputShapes input_shapes = given_shapes;
  for (const auto& [name, value] : input_values) input_shapes.try_emplace(name, value.shape());
  const OnnxConverterRegistry& converters = OnnxConverters();
  if (auto st = converters.status(); !st.ok()) return st;
  onnx::ModelProto model;
  if (bytes.empty() || !model.ParseFromString(bytes)) {
    return absl::InvalidArgumentError(
        "not an ONNX model: the protobuf does not parse (truncated or corrupt file?)");
  }
  if (!model.has_graph()) return absl::InvalidArgumentError("the ONNX model has no graph");
  int64_t opset = -1;
  std::vector<std::string> imports;
  for (const auto& imp : model.opset_import()) {
    if (imp.domain().empty() || imp.domain() == "ai.onnx") opset = imp.version();
    imports.push_back(absl::StrCat("'", imp.domain(), "' ", imp.version()));
  }
  if (opset < 0 && model.opset_import_size() == 0) opset = 1;
  if (opset < 0) {
    return absl::UnimplementedError(absl::StrCat(
        "the model imports no opset of the default ONNX domain, only ",
        absl::StrJoin(imports, ", "), "; kiln reads opsets ", kFirstOpset, " to ", kLastOpset,
        " of the default domain"));
  }
  if (opset < kFirstOpset || opset > kLastOpset) {
    return absl::UnimplementedError(absl::StrCat("ONNX opset ", opset,
                                                 " is not supported; kiln reads opsets ",
                                                 kFirstOpset, " to ", kLastOpset));
  }
  graph::Graph g;
  ImportContext ctx(&g, opset, model_dir, memory_budget);
  ctx.OfferInputValues(&input_values);
  const onnx::GraphProto& proto = model.graph();
  absl::flat_hash_map<std::string, bool> is_initializer;
  for (const auto& init : proto.initializer()) {
    if (is_initializer.contains(init.name())) {
      return absl::InvalidArgumentError(
          absl::StrCat("the model has two initializers named '", init.name(), "'"));
    }
    auto data = TensorFromProto(init, model_dir, memory_budget);
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
    if (ctx.Lookup(in.name()).ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("the model has two inputs named '", in.name(), "'"));
    }
    auto type = InputType(in, input_shapes);
    if (!type.ok()) return type.status();
    auto bytes = CheckTensorBytes(absl::StrCat("input '", in.name(), "'"), type->shape,
                                  type->dtype, memory_budget);
    if (!bytes.ok()) return bytes.status();
    ctx.Bind(in.name(), g.AddInput(in.name(), *type));
  }
  ctx.SetNodeConverter(ConvertNode);
  for (const auto& node : proto.node()) {
    if (auto st = ConvertNode(ctx, node); !st.ok()) return st;
  }
  std::vector<int> outputs;
  std::vector<std::string> names;
  for (const auto& out : proto.output()) {
    auto id = ctx.Lookup(out.name());
    if (!id.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("graph output '", out.name(), "' is never produced"));
    }
    outputs.push_back(*id);
    names.push_back(out.name());
  }
  g.SetOutputs(std::move(outputs), std::move(names));
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
                                            const InputShapes& input_shapes,
                                            const InputValues& input_values,
                                            int64_t memory_budget) {
  auto bytes = ReadModelFile(path);
  if (!bytes.ok()) return bytes.status();
  const size_t slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  auto g = ImportOnnxBytes(*bytes, input_shapes, dir, input_values, memory_budget);
  if (!g.ok()) {
    return absl::Status(g.status().code(), absl::StrCat(path, ": ", g.status().message()));
  }
  return g;
}

}  // namespace kiln::frontend

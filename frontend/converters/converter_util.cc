#include "frontend/converters/converter_util.h"

#include "absl/strings/str_cat.h"

namespace kiln::frontend {

absl::StatusOr<std::vector<int>> Inputs(ImportContext& c, int count) {
  std::vector<int> ids;
  for (int i = 0; i < count; ++i) {
    KILN_ASSIGN(id, c.Input(i));
    ids.push_back(id);
  }
  return ids;
}

absl::StatusOr<std::vector<int64_t>> OptionalConstantInts(ImportContext& c, int i,
                                                          const char* what) {
  if (!c.HasInput(i)) return std::vector<int64_t>{};
  return c.ConstantInts(i, what);
}

absl::StatusOr<std::vector<int64_t>> AxesFromAttribute(ImportContext& c) {
  return c.AttrInts("axes", std::vector<int64_t>{});
}

absl::StatusOr<std::vector<int64_t>> AxesFromInput(ImportContext& c) {
  return OptionalConstantInts(c, 1, "axes");
}

absl::Status RequireIsTest(ImportContext& c, const std::string& what) {
  KILN_ASSIGN(is_test, c.AttrInt("is_test", 0));
  if (is_test == 0) {
    return c.Unsupported(
        absl::StrCat("training-mode ", what, " (is_test=0, ONNX's default before opset 7)"));
  }
  return absl::OkStatus();
}

absl::Status CheckConstantIndices(ImportContext& c, int i, int64_t axis) {
  const std::vector<int64_t>& shape = c.InputType(0).shape;
  const int64_t rank = static_cast<int64_t>(shape.size());
  if (axis < -rank || axis >= rank || !c.InputConstant(i).has_value()) return absl::OkStatus();
  const int64_t size = shape[axis < 0 ? axis + rank : axis];
  KILN_ASSIGN(indices, c.ConstantInts(i, "indices"));
  for (int64_t index : indices) {
    if (index < -size || index >= size) {
      return c.Invalid(absl::StrCat("index ", index, " on an axis of size ", size,
                                    "; expected -", size, " to ", size - 1));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int> AlignAt(ImportContext& c, int value, int64_t axis, int64_t rank) {
  std::vector<int64_t> shape = c.graph().value(value).type.shape;
  if (axis < 0) axis += rank;
  if (axis < 0 || axis + static_cast<int64_t>(shape.size()) > rank) {
    return c.Invalid(absl::StrCat("axis ", axis, " cannot align a tensor of shape ",
                                  runtime::ShapeToString(shape), " with one of rank ", rank));
  }
  shape.resize(rank - axis, 1);
  return c.EmitStep("reshape", {value}, {{"shape", shape}});
}

Converter BinaryOp(std::string op) {
  return [op](ImportContext& c) -> absl::Status {
    if (c.num_inputs() != 2) return c.Unsupported(absl::StrCat(c.num_inputs(), " operands"));
    KILN_ASSIGN(in, Inputs(c, 2));
    return c.Emit(op, in, {});
  };
}

absl::StatusOr<int> ConvertAs(ImportContext& c, onnx::NodeProto node,
                              const std::vector<int>& inputs) {
  const OnnxConverterRegistration* registration =
      OnnxConverters().Find(node.op_type(), c.opset());
  if (registration == nullptr) {
    return c.Unsupported(absl::StrCat("its form as ", node.op_type(), " at opset ", c.opset()));
  }
  const std::string prefix = absl::StrCat(c.node().output_size() > 0 ? c.node().output(0) : "",
                                          "/as_", node.op_type(), "_", c.graph().values().size());
  node.clear_input();
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string name = absl::StrCat(prefix, "/input_", i);
    c.Bind(name, inputs[i]);
    node.add_input(name);
  }
  node.clear_output();
  node.add_output(absl::StrCat(prefix, "/output"));
  const onnx::NodeProto& original = c.node();
  c.Begin(&node);
  absl::Status converted = registration->convert(c);
  c.Begin(&original);
  if (!converted.ok()) return converted;
  return c.Lookup(node.output(0));
}

}  // namespace kiln::frontend

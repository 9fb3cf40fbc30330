// OneHot and EyeLike: tensors that compare an index with a position along
// an axis. OneHot compares its indices with a constant [0, depth) along the
// new axis and selects on/off values, which compiles as a broadcast
// comparison and select; EyeLike depends only on its input's shape and
// folds to a constant.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"
#include "frontend/converters/graph_steps.h"
#include "frontend/memory_budget.h"

namespace kiln::frontend {
namespace {

// OneHot's depth: a one-value input of any numeric type, which kiln needs
// constant since it sizes the output.
absl::StatusOr<int64_t> Depth(ImportContext& c) {
  KILN_ASSIGN(data, c.RequiredConstant(1, "a depth"));
  if (data.NumElements() != 1) {
    return c.Invalid(absl::StrCat("depth has ", data.NumElements(), " values; expected one"));
  }
  switch (data.dtype()) {
    case runtime::DType::kFloat32: {
      // Converting a float outside int64's range is undefined: refuse it.
      const float v = data.data<float>()[0];
      if (!(v > -9.2e18f && v < 9.2e18f)) {
        return c.Invalid(absl::StrCat("depth ", v, "; expected a positive count"));
      }
      return static_cast<int64_t>(v);
    }
    case runtime::DType::kInt32: return data.data<int32_t>()[0];
    case runtime::DType::kInt64: return data.data<int64_t>()[0];
    default: return c.Unsupported(absl::StrCat(runtime::DTypeName(data.dtype()), " depth"));
  }
}

// Negative indices count from depth (written down at opset 11, and what
// ONNX Runtime did before).
absl::Status OneHot(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 3));
  KILN_ASSIGN(depth, Depth(c));
  if (depth < 1) return c.Invalid(absl::StrCat("depth ", depth, "; expected a positive one"));
  KILN_ASSIGN(axis_attr, c.AttrInt("axis", -1));
  const std::vector<int64_t> shape = c.InputType(0).shape;
  const int64_t rank = static_cast<int64_t>(shape.size()) + 1;
  const int64_t axis = axis_attr < 0 ? axis_attr + rank : axis_attr;
  if (axis < 0 || axis >= rank) {
    return c.Invalid(absl::StrCat("axis ", axis_attr, " for an output of rank ", rank));
  }
  if (c.InputType(2).shape != std::vector<int64_t>{2}) {
    return c.Invalid(absl::StrCat("values of shape ", runtime::ShapeToString(c.InputType(2).shape),
                                  "; expected [off, on]"));
  }
  GraphSteps s(c);
  const int index = s.Cast(in[0], runtime::DType::kFloat32);
  const int depth_value = s.Scalar(static_cast<float>(depth));
  const int wrapped = s.Op("where", {s.Op("less", {index, s.Scalar(0.0f)}),
                                     s.Op("add", {index, depth_value}), index});
  std::vector<int64_t> expanded = shape;
  expanded.insert(expanded.begin() + axis, 1);
  // The depth sizes the output: a hostile one must fail the budget before
  // the positions below are allocated.
  std::vector<int64_t> out_shape = shape;
  out_shape.insert(out_shape.begin() + axis, depth);
  if (auto bytes = CheckTensorBytes("OneHot's output", out_shape, c.InputType(2).dtype,
                                    c.memory_budget());
      !bytes.ok()) {
    return c.Invalid(std::string(bytes.status().message()));
  }
  std::vector<int64_t> positions_shape(rank, 1);
  positions_shape[axis] = depth;
  std::vector<float> positions(depth);
  for (int64_t k = 0; k < depth; ++k) positions[k] = static_cast<float>(k);
  const int hot = s.Op("equal", {s.Reshape(wrapped, expanded),
                                 s.Constant(positions_shape, positions)});
  const int result = s.Op("where", {hot, s.Slice(in[2], 0, 1, 2), s.Slice(in[2], 0, 0, 1)});
  return s.Bind(result);
}

// Ones on the k-th diagonal of a 2-D tensor shaped like the input, of the
// dtype attribute's type or else the input's.
absl::Status EyeLike(ImportContext& c) {
  KILN_ASSIGN(k, c.AttrInt("k", 0));
  const graph::TensorType& type = c.InputType(0);
  if (type.shape.size() != 2) {
    return c.Invalid(absl::StrCat("input of rank ", type.shape.size(), "; expected 2"));
  }
  runtime::DType dtype = type.dtype;
  if (c.Attr("dtype") != nullptr) {
    KILN_ASSIGN(onnx_type, c.AttrInt("dtype", std::nullopt));
    KILN_ASSIGN(name, DTypeNameFromOnnx(static_cast<int>(onnx_type)));
    KILN_ASSIGN(parsed, runtime::ParseDType(name));
    dtype = parsed;
  }
  const int64_t rows = type.shape[0], cols = type.shape[1];
  std::vector<float> eye(rows * cols, 0.0f);
  for (int64_t r = 0; r < rows; ++r) {
    if (r + k >= 0 && r + k < cols) eye[r * cols + r + k] = 1.0f;
  }
  GraphSteps s(c);
  const int result = s.Cast(s.Constant(type.shape, eye), dtype);  // folds
  return s.Bind(result);
}

KILN_REGISTER_ONNX_CONVERTER(OneHot, 9, kLatestOpset, OneHot);
KILN_REGISTER_ONNX_CONVERTER(EyeLike, 9, kLatestOpset, EyeLike);

}  // namespace
}  // namespace kiln::frontend

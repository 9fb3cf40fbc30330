// Operators that only change a tensor's shape (all become kiln `reshape`),
// Transpose, and Shape, which folds to a constant.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"

namespace kiln::frontend {
namespace {

absl::Status EmitReshape(ImportContext& c, std::vector<int64_t> shape) {
  KILN_ASSIGN(in, Inputs(c, 1));
  return c.Emit("reshape", in, {{"shape", shape}});
}

// Resolves ONNX's 0 (copy the input's dimension) and -1 (infer it) in a
// Reshape target.
absl::Status ReshapeTo(ImportContext& c, std::vector<int64_t> target) {
  KILN_ASSIGN(allowzero, c.AttrInt("allowzero", 0));
  const auto& in = c.InputType(0).shape;
  int64_t known = 1, infer = -1;
  bool overflow = false, empty = false;
  for (size_t d = 0; d < target.size(); ++d) {
    if (target[d] == 0 && !allowzero) {
      if (d >= in.size()) return c.Invalid("a 0 in the target shape past the input's rank");
      target[d] = in[d];
    }
    if (target[d] == -1) {
      if (infer >= 0) return c.Invalid("more than one -1 in the target shape");
      infer = d;
    } else if (target[d] < 0) {
      return c.Invalid(absl::StrCat("target dimension ", target[d]));
    } else {
      empty |= target[d] == 0;
      overflow |= __builtin_mul_overflow(known, target[d], &known);
    }
  }
  // A hostile target's product can overflow; it cannot match the input's
  // (budget-checked) element count unless a zero makes it empty.
  if (overflow && !empty) {
    return c.Invalid(absl::StrCat("the target shape ", runtime::ShapeToString(target),
                                  " has more elements than an int64 holds"));
  }
  if (empty) known = 0;
  int64_t total = 1;
  for (int64_t d : in) total *= d;
  if (infer >= 0) {
    if (known == 0 || total % known != 0) return c.Invalid("cannot infer the -1 dimension");
    target[infer] = total / known;
  }
  return EmitReshape(c, target);
}

absl::Status ReshapeWithAttribute(ImportContext& c) {
  KILN_ASSIGN(target, c.AttrInts("shape", std::nullopt));
  return ReshapeTo(c, target);
}

absl::Status ReshapeWithInput(ImportContext& c) {
  KILN_ASSIGN(target, c.ConstantInts(1, "a reshape target"));
  return ReshapeTo(c, target);
}

KILN_REGISTER_ONNX_CONVERTER(Reshape, 1, 4, ReshapeWithAttribute);
KILN_REGISTER_ONNX_CONVERTER(Reshape, 5, kLatestOpset, ReshapeWithInput);

absl::Status Flatten(ImportContext& c) {
  const auto& in = c.InputType(0).shape;
  KILN_ASSIGN(axis, c.AttrInt("axis", 1));
  const int64_t rank = in.size();
  if (axis < -rank || axis > rank) return c.Invalid(absl::StrCat("axis ", axis));
  if (axis < 0) axis += rank;
  int64_t a = 1, b = 1;
  for (int64_t d = 0; d < rank; ++d) (d < axis ? a : b) *= in[d];
  return EmitReshape(c, {a, b});
}

KILN_REGISTER_ONNX_CONVERTER(Flatten, 1, kLatestOpset, Flatten);

using AxesReader = absl::StatusOr<std::vector<int64_t>> (*)(ImportContext&);

Converter Squeeze(AxesReader read_axes) {
  return [read_axes](ImportContext& c) -> absl::Status {
    KILN_ASSIGN(axes, read_axes(c));
    const auto& in = c.InputType(0).shape;
    std::vector<bool> drop(in.size(), axes.empty());
    for (int64_t a : axes) {
      if (a < 0) a += in.size();
      if (a < 0 || a >= static_cast<int64_t>(in.size()) || in[a] != 1) {
        return c.Invalid(absl::StrCat("cannot squeeze axis ", a));
      }
      drop[a] = true;
    }
    std::vector<int64_t> shape;
    for (size_t d = 0; d < in.size(); ++d) {
      if (!(drop[d] && in[d] == 1)) shape.push_back(in[d]);
    }
    return EmitReshape(c, shape);
  };
}

KILN_REGISTER_ONNX_CONVERTER(Squeeze, 1, 12, Squeeze(AxesFromAttribute));
KILN_REGISTER_ONNX_CONVERTER(Squeeze, 13, kLatestOpset, Squeeze(AxesFromInput));

Converter Unsqueeze(AxesReader read_axes) {
  return [read_axes](ImportContext& c) -> absl::Status {
    KILN_ASSIGN(axes, read_axes(c));
    const auto& in = c.InputType(0).shape;
    const int64_t rank = in.size() + axes.size();
    std::vector<bool> added(rank, false);
    for (int64_t a : axes) {
      if (a < 0) a += rank;
      if (a < 0 || a >= rank || added[a]) return c.Invalid(absl::StrCat("unsqueeze axis ", a));
      added[a] = true;
    }
    std::vector<int64_t> shape;
    size_t next = 0;
    for (int64_t d = 0; d < rank; ++d) shape.push_back(added[d] ? 1 : in[next++]);
    return EmitReshape(c, shape);
  };
}

KILN_REGISTER_ONNX_CONVERTER(Unsqueeze, 1, 12, Unsqueeze(AxesFromAttribute));
KILN_REGISTER_ONNX_CONVERTER(Unsqueeze, 13, kLatestOpset, Unsqueeze(AxesFromInput));

absl::Status Transpose(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 1));
  std::vector<int64_t> reversed;
  for (int64_t d = c.InputType(0).shape.size() - 1; d >= 0; --d) reversed.push_back(d);
  KILN_ASSIGN(perm, c.AttrInts("perm", reversed));
  return c.Emit("transpose", in, {{"perm", perm}});
}

KILN_REGISTER_ONNX_CONVERTER(Transpose, 1, kLatestOpset, Transpose);

absl::Status Shape(ImportContext& c) {
  const auto& shape = c.InputType(0).shape;
  const int64_t rank = shape.size();
  KILN_ASSIGN(start, c.AttrInt("start", 0));
  KILN_ASSIGN(end, c.AttrInt("end", rank));
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  KILN_ASSIGN(data, graph::NDArray::Empty({end - start}, runtime::DType::kInt64));
  for (int64_t d = start; d < end; ++d) data.data<int64_t>()[d - start] = shape[d];
  c.EmitConstant(data);
  return absl::OkStatus();
}

KILN_REGISTER_ONNX_CONVERTER(Shape, 1, kLatestOpset, Shape);

}  // namespace
}  // namespace kiln::frontend

// TopK, GatherND, ScatterND, ScatterElements, Scatter and MaxUnpool:
// selecting and placing elements by computed indices.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"
#include "frontend/converters/graph_steps.h"
#include "ir/ops/window.h"

namespace kiln::frontend {
namespace {

absl::Status EmitTopK(ImportContext& c, int64_t k) {
  KILN_ASSIGN(axis, c.AttrInt("axis", -1));
  KILN_ASSIGN(largest, c.AttrInt("largest", 1));
  KILN_ASSIGN(in, Inputs(c, 1));
  // sorted = 0 lets the order be any; kiln's is always sorted.
  return c.Emit("topk", in, {{"k", k}, {"axis", axis}, {"largest", largest}}, 2);
}

// Until opset 10, k was an attribute.
absl::Status TopKWithAttribute(ImportContext& c) {
  KILN_ASSIGN(k, c.AttrInt("k", std::nullopt));
  return EmitTopK(c, k);
}

// From opset 10, k is a one-value input, which kiln needs constant since it
// sizes the outputs.
absl::Status TopK(ImportContext& c) {
  KILN_ASSIGN(k, c.ConstantInts(1, "TopK's k"));
  if (k.size() != 1) return c.Invalid(absl::StrCat("k has ", k.size(), " values; expected one"));
  return EmitTopK(c, k[0]);
}

absl::Status GatherNd(ImportContext& c) {
  KILN_ASSIGN(batch_dims, c.AttrInt("batch_dims", 0));
  KILN_ASSIGN(in, Inputs(c, 2));
  return c.Emit("gather_nd", in, {{"batch_dims", batch_dims}});
}

// reduction came at opset 16 (none, add, mul) and grew max and min at 18;
// before, the attribute is absent and its default is none.
absl::Status ScatterNd(ImportContext& c) {
  KILN_ASSIGN(reduction, c.AttrString("reduction", "none"));
  KILN_ASSIGN(in, Inputs(c, 3));
  return c.Emit("scatter_nd", in, {{"reduction", reduction}});
}

absl::Status ScatterElements(ImportContext& c) {
  KILN_ASSIGN(axis, c.AttrInt("axis", 0));
  KILN_ASSIGN(reduction, c.AttrString("reduction", "none"));
  KILN_ASSIGN(in, Inputs(c, 3));
  return c.Emit("scatter_elements", in, {{"axis", axis}, {"reduction", reduction}});
}

// MaxUnpool places each value at its index (flat over the whole output, as
// MaxPool's indices output counts) in zeros: scatter_elements over the
// flattened tensors. The output is the pooling input's size, or
// output_shape (opset 11), which kiln needs constant.
absl::Status MaxUnpool(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 2));
  if (c.InputType(0).dtype != runtime::DType::kFloat32) {
    return c.Unsupported(absl::StrCat(runtime::DTypeName(c.InputType(0).dtype), " input"));
  }
  const std::vector<int64_t> x = c.InputType(0).shape;
  if (x.size() < 3) {
    return c.Invalid(absl::StrCat("input of rank ", x.size(), "; expected N, C and spatial axes"));
  }
  const size_t spatial = x.size() - 2;
  KILN_ASSIGN(kernel, c.AttrInts("kernel_shape", std::nullopt));
  KILN_ASSIGN(strides, c.AttrInts("strides", std::vector<int64_t>(spatial, 1)));
  KILN_ASSIGN(pads, c.AttrInts("pads", std::vector<int64_t>(2 * spatial, 0)));
  if (kernel.size() != spatial || strides.size() != spatial || pads.size() != 2 * spatial) {
    return c.Invalid(absl::StrCat("a ", spatial, "-D window needs ", spatial,
                                  " kernel sizes and strides and ", 2 * spatial, " pads"));
  }
  KILN_ASSIGN(output_shape, OptionalConstantInts(c, 2, "MaxUnpool's output_shape"));
  // The indices count positions of the pooling input, whose size the
  // window gives; a larger output_shape pads it at the end.
  std::vector<int64_t> unpooled = {x[0], x[1]};
  for (size_t d = 0; d < spatial; ++d) {
    unpooled.push_back(ir::ops::TransposedWindowOutputSize(x[2 + d], kernel[d], strides[d], 1,
                                                           pads[d], pads[spatial + d], 0));
  }
  if (output_shape.empty()) output_shape = unpooled;
  std::vector<int64_t> end_pads(2 * x.size(), 0);
  bool fits = output_shape.size() == x.size();
  for (size_t d = 0; fits && d < x.size(); ++d) {
    fits = output_shape[d] >= unpooled[d] && unpooled[d] >= 1 && (d >= 2 || output_shape[d] == x[d]);
    if (fits) end_pads[x.size() + d] = output_shape[d] - unpooled[d];
  }
  if (!fits) {
    return c.Invalid(absl::StrCat("output_shape ", runtime::ShapeToString(output_shape),
                                  "; expected N and C of the input and at least ",
                                  runtime::ShapeToString(unpooled)));
  }
  int64_t total = 1, count = 1;
  for (int64_t d : unpooled) total *= d;
  for (int64_t d : x) count *= d;
  GraphSteps s(c);
  const int zeros = s.Constant({total}, std::vector<float>(total, 0.0f));
  const int placed =
      s.Op("scatter_elements", {zeros, s.Reshape(in[1], {count}), s.Reshape(in[0], {count})},
           {{"axis", int64_t{0}}, {"reduction", std::string("none")}});
  int y = s.Reshape(placed, unpooled);
  if (output_shape != unpooled) {
    y = s.Op("pad", {y}, {{"pads", end_pads}, {"mode", std::string("constant")}, {"value", 0.0}});
  }
  return s.Bind(y);
}

KILN_REGISTER_ONNX_CONVERTER(TopK, 1, 9, TopKWithAttribute);
KILN_REGISTER_ONNX_CONVERTER(TopK, 10, kLatestOpset, TopK);
KILN_REGISTER_ONNX_CONVERTER(GatherND, 11, kLatestOpset, GatherNd);
KILN_REGISTER_ONNX_CONVERTER(ScatterND, 11, kLatestOpset, ScatterNd);
KILN_REGISTER_ONNX_CONVERTER(ScatterElements, 11, kLatestOpset, ScatterElements);
// Scatter (opsets 9 and 10) is ScatterElements before its rename.
KILN_REGISTER_ONNX_CONVERTER(Scatter, 9, 10, ScatterElements);
KILN_REGISTER_ONNX_CONVERTER(MaxUnpool, 9, kLatestOpset, MaxUnpool);

}  // namespace
}  // namespace kiln::frontend

// TopK, GatherND, ScatterND, ScatterElements and Scatter: selecting and
// placing elements by computed indices.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"

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

KILN_REGISTER_ONNX_CONVERTER(TopK, 1, 9, TopKWithAttribute);
KILN_REGISTER_ONNX_CONVERTER(TopK, 10, kLatestOpset, TopK);
KILN_REGISTER_ONNX_CONVERTER(GatherND, 11, kLatestOpset, GatherNd);
KILN_REGISTER_ONNX_CONVERTER(ScatterND, 11, kLatestOpset, ScatterNd);
KILN_REGISTER_ONNX_CONVERTER(ScatterElements, 11, kLatestOpset, ScatterElements);
// Scatter (opsets 9 and 10) is ScatterElements before its rename.
KILN_REGISTER_ONNX_CONVERTER(Scatter, 9, 10, ScatterElements);

}  // namespace
}  // namespace kiln::frontend

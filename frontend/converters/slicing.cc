// Operators that cut tensors up, join them and pad them: Concat, Split,
// Slice, Gather, GatherElements, Pad.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"

namespace kiln::frontend {
namespace {

// Concat's axis defaulted to 1 until opset 4 made it required.
Converter Concat(std::optional<int64_t> default_axis) {
  return [default_axis](ImportContext& c) -> absl::Status {
    KILN_ASSIGN(in, Inputs(c, c.num_inputs()));
    KILN_ASSIGN(axis, c.AttrInt("axis", default_axis));
    return c.Emit("concat", in, {{"axis", axis}});
  };
}

KILN_REGISTER_ONNX_CONVERTER(Concat, 1, 3, Concat(1));
KILN_REGISTER_ONNX_CONVERTER(Concat, 4, kLatestOpset, Concat(std::nullopt));

// Split's sizes: an attribute or an input at opset 1, an attribute until
// 13, then an input; nullopt asks for equal parts, one per output (opset 18
// allows the last to be smaller, and num_outputs repeats the output count).
using SplitSizesReader = absl::StatusOr<std::optional<std::vector<int64_t>>> (*)(ImportContext&);

absl::StatusOr<std::optional<std::vector<int64_t>>> SplitAttribute(ImportContext& c) {
  if (!c.Attr("split")) return std::nullopt;
  return c.AttrInts("split", std::nullopt);
}

absl::StatusOr<std::optional<std::vector<int64_t>>> SplitInput(ImportContext& c) {
  if (!c.HasInput(1)) return std::nullopt;
  return c.ConstantInts(1, "split sizes");
}

absl::StatusOr<std::optional<std::vector<int64_t>>> SplitInputOrAttribute(ImportContext& c) {
  return c.HasInput(1) ? SplitInput(c) : SplitAttribute(c);
}

Converter Split(SplitSizesReader read_sizes) {
  return [read_sizes](ImportContext& c) -> absl::Status {
    KILN_ASSIGN(in, Inputs(c, 1));
    KILN_ASSIGN(axis, c.AttrInt("axis", 0));
    const auto& shape = c.InputType(0).shape;
    const int64_t rank = shape.size();
    if (axis < -rank || axis >= rank) return c.Invalid(absl::StrCat("axis ", axis));
    if (axis < 0) axis += rank;
    KILN_ASSIGN(given, read_sizes(c));
    std::vector<int64_t> sizes;
    if (given) {
      sizes = *given;
    } else {
      const int64_t parts = c.node().output_size();
      const int64_t chunk = (shape[axis] + parts - 1) / parts;
      for (int64_t k = 0; k < parts; ++k) {
        sizes.push_back(std::min(chunk, shape[axis] - k * chunk));
      }
    }
    return c.Emit("split", in, {{"axis", axis}, {"split", sizes}}, sizes.size());
  };
}

KILN_REGISTER_ONNX_CONVERTER(Split, 1, 1, Split(SplitInputOrAttribute));
KILN_REGISTER_ONNX_CONVERTER(Split, 2, 12, Split(SplitAttribute));
KILN_REGISTER_ONNX_CONVERTER(Split, 13, kLatestOpset, Split(SplitInput));

// Normalizes ONNX's ranges (negative indices, omitted axes and steps) into
// kiln's per-axis starts, ends and steps.
absl::Status EmitSlice(ImportContext& c, const std::vector<int64_t>& starts,
                       const std::vector<int64_t>& ends, std::vector<int64_t> axes,
                       std::vector<int64_t> steps) {
  const auto& shape = c.InputType(0).shape;
  const int64_t rank = shape.size();
  if (axes.empty()) {
    for (size_t k = 0; k < starts.size(); ++k) axes.push_back(k);
  }
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size()) {
    return c.Invalid("starts, ends, axes and steps differ in length");
  }
  std::vector<int64_t> s(rank, 0), e(shape), st(rank, 1);
  for (size_t k = 0; k < axes.size(); ++k) {
    int64_t a = axes[k] < 0 ? axes[k] + rank : axes[k];
    if (a < 0 || a >= rank) return c.Invalid(absl::StrCat("slice axis ", axes[k]));
    const int64_t dim = shape[a], step = steps[k];
    if (step == 0) return c.Invalid("slice step 0");
    int64_t start = starts[k] < 0 ? starts[k] + dim : starts[k];
    int64_t end = ends[k] < 0 ? ends[k] + dim : ends[k];
    if (step > 0) {
      s[a] = std::clamp<int64_t>(start, 0, dim);
      e[a] = std::clamp<int64_t>(end, 0, dim);
    } else {
      s[a] = std::clamp<int64_t>(start, 0, dim - 1);
      e[a] = std::clamp<int64_t>(end, -1, dim - 1);
    }
    st[a] = step;
  }
  KILN_ASSIGN(in, Inputs(c, 1));
  return c.Emit("slice", in, {{"starts", s}, {"ends", e}, {"steps", st}});
}

absl::Status SliceWithAttributes(ImportContext& c) {
  KILN_ASSIGN(starts, c.AttrInts("starts", std::nullopt));
  KILN_ASSIGN(ends, c.AttrInts("ends", std::nullopt));
  KILN_ASSIGN(axes, c.AttrInts("axes", std::vector<int64_t>{}));
  return EmitSlice(c, starts, ends, axes, {});
}

absl::Status SliceWithInputs(ImportContext& c) {
  KILN_ASSIGN(starts, c.ConstantInts(1, "slice starts"));
  KILN_ASSIGN(ends, c.ConstantInts(2, "slice ends"));
  KILN_ASSIGN(axes, OptionalConstantInts(c, 3, "slice axes"));
  KILN_ASSIGN(steps, OptionalConstantInts(c, 4, "slice steps"));
  return EmitSlice(c, starts, ends, axes, steps);
}

KILN_REGISTER_ONNX_CONVERTER(Slice, 1, 9, SliceWithAttributes);
KILN_REGISTER_ONNX_CONVERTER(Slice, 10, kLatestOpset, SliceWithInputs);

absl::Status Gather(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 2));
  KILN_ASSIGN(axis, c.AttrInt("axis", 0));
  if (absl::Status st = CheckConstantIndices(c, 1, axis); !st.ok()) return st;
  return c.Emit("gather", in, {{"axis", axis}});
}

KILN_REGISTER_ONNX_CONVERTER(Gather, 1, kLatestOpset, Gather);

absl::Status GatherElements(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 2));
  KILN_ASSIGN(axis, c.AttrInt("axis", 0));
  if (absl::Status st = CheckConstantIndices(c, 1, axis); !st.ok()) return st;
  return c.Emit("gather_elements", in, {{"axis", axis}});
}

KILN_REGISTER_ONNX_CONVERTER(GatherElements, 11, kLatestOpset, GatherElements);

absl::Status EmitPad(ImportContext& c, const std::string& mode, const std::vector<int64_t>& pads,
                     double value) {
  KILN_ASSIGN(in, Inputs(c, 1));
  return c.Emit("pad", in, {{"pads", pads}, {"mode", mode}, {"value", value}});
}

// Until opset 11 the pads and value are attributes; opset 2 renamed
// `paddings` to `pads`.
Converter PadWithAttributes(std::string pads_name) {
  return [pads_name](ImportContext& c) -> absl::Status {
    KILN_ASSIGN(mode, c.AttrString("mode", "constant"));
    KILN_ASSIGN(pads, c.AttrInts(pads_name, std::nullopt));
    KILN_ASSIGN(value, c.AttrFloat("value", 0.0));
    return EmitPad(c, mode, pads, value);
  };
}

// Opset 18's axes input: `pads` holds the begins then the ends of those
// axes only; the others are not padded.
absl::StatusOr<std::vector<int64_t>> PadsForAxes(ImportContext& c,
                                                 const std::vector<int64_t>& pads,
                                                 std::vector<int64_t> axes) {
  const int64_t rank = c.InputType(0).shape.size();
  const int64_t n = axes.size();
  if (static_cast<int64_t>(pads.size()) != 2 * n) {
    return c.Invalid(absl::StrCat(pads.size(), " pads for ", n, " axes; expected ", 2 * n));
  }
  std::vector<int64_t> all(2 * rank, 0);
  for (int64_t k = 0; k < n; ++k) {
    int64_t a = axes[k];
    if (a < -rank || a >= rank) return c.Invalid(absl::StrCat("pad axis ", a));
    if (a < 0) a += rank;
    all[a] = pads[k];
    all[rank + a] = pads[n + k];
  }
  return all;
}

absl::Status PadWithInputs(ImportContext& c) {
  KILN_ASSIGN(mode, c.AttrString("mode", "constant"));
  KILN_ASSIGN(pads, c.ConstantInts(1, "pads"));
  double value = 0;
  if (c.HasInput(2)) {
    KILN_ASSIGN(v, c.RequiredConstant(2, "the pad value"));
    if (v.NumElements() != 1 || v.dtype() != runtime::DType::kFloat32) {
      return c.Unsupported("a pad value that is not one float32");
    }
    value = v.data<float>()[0];
  }
  if (c.HasInput(3)) {
    KILN_ASSIGN(axes, c.ConstantInts(3, "pad axes"));
    KILN_ASSIGN(all_pads, PadsForAxes(c, pads, axes));
    return EmitPad(c, mode, all_pads, value);
  }
  return EmitPad(c, mode, pads, value);
}

KILN_REGISTER_ONNX_CONVERTER(Pad, 1, 1, PadWithAttributes("paddings"));
KILN_REGISTER_ONNX_CONVERTER(Pad, 2, 10, PadWithAttributes("pads"));
KILN_REGISTER_ONNX_CONVERTER(Pad, 11, kLatestOpset, PadWithInputs);

}  // namespace
}  // namespace kiln::frontend

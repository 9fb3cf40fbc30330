// ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1,
// ReduceL2, ReduceSumSquare, ReduceLogSum, ReduceLogSumExp. Their axes moved
// from an attribute to an optional input: ReduceSum at opset 13, the others
// at 18. ArgMax, ArgMin and CumSum.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"

namespace kiln::frontend {
namespace {

// `pass_through` (noop_with_empty_axes with no axes) makes the node the
// identity instead of a reduction over every axis.
absl::Status EmitReduce(ImportContext& c, const std::string& op, const std::vector<int64_t>& axes,
                        bool pass_through) {
  KILN_ASSIGN(keep, c.AttrInt("keepdims", 1));
  KILN_ASSIGN(in, Inputs(c, 1));
  if (pass_through) {
    c.Alias(in[0]);
    return absl::OkStatus();
  }
  return c.Emit(op, in, {{"axes", axes}, {"keepdims", keep}});
}

Converter ReduceWithAxesAttribute(std::string op) {
  return [op](ImportContext& c) -> absl::Status {
    KILN_ASSIGN(axes, AxesFromAttribute(c));
    return EmitReduce(c, op, axes, /*pass_through=*/false);
  };
}

// noop_with_empty_axes came with the axes input.
Converter ReduceWithAxesInput(std::string op) {
  return [op](ImportContext& c) -> absl::Status {
    KILN_ASSIGN(axes, AxesFromInput(c));
    KILN_ASSIGN(noop, c.AttrInt("noop_with_empty_axes", 0));
    return EmitReduce(c, op, axes, /*pass_through=*/noop != 0 && axes.empty());
  };
}

KILN_REGISTER_ONNX_CONVERTER(ReduceSum, 1, 12, ReduceWithAxesAttribute("reduce_sum"));
KILN_REGISTER_ONNX_CONVERTER(ReduceSum, 13, kLatestOpset, ReduceWithAxesInput("reduce_sum"));

// The reductions whose axes became an input at opset 18.
#define KILN_REGISTER_REDUCE_AXES_INPUT_AT_18(op_type, op)                               \
  KILN_REGISTER_ONNX_CONVERTER(op_type, 1, 17, ReduceWithAxesAttribute(op));             \
  KILN_REGISTER_ONNX_CONVERTER(op_type, 18, kLatestOpset, ReduceWithAxesInput(op))

KILN_REGISTER_REDUCE_AXES_INPUT_AT_18(ReduceMean, "reduce_mean");
KILN_REGISTER_REDUCE_AXES_INPUT_AT_18(ReduceMax, "reduce_max");
KILN_REGISTER_REDUCE_AXES_INPUT_AT_18(ReduceMin, "reduce_min");
KILN_REGISTER_REDUCE_AXES_INPUT_AT_18(ReduceProd, "reduce_prod");
KILN_REGISTER_REDUCE_AXES_INPUT_AT_18(ReduceL1, "reduce_l1");
KILN_REGISTER_REDUCE_AXES_INPUT_AT_18(ReduceL2, "reduce_l2");
KILN_REGISTER_REDUCE_AXES_INPUT_AT_18(ReduceSumSquare, "reduce_sum_square");
KILN_REGISTER_REDUCE_AXES_INPUT_AT_18(ReduceLogSum, "reduce_log_sum");
KILN_REGISTER_REDUCE_AXES_INPUT_AT_18(ReduceLogSumExp, "reduce_log_sum_exp");

#undef KILN_REGISTER_REDUCE_AXES_INPUT_AT_18

// Negative axes (opset 11) and select_last_index (opset 12, absent before:
// its default) only widened what the attributes may say.
Converter ArgReduce(std::string op) {
  return [op](ImportContext& c) -> absl::Status {
    KILN_ASSIGN(axis, c.AttrInt("axis", 0));
    KILN_ASSIGN(keep, c.AttrInt("keepdims", 1));
    KILN_ASSIGN(last, c.AttrInt("select_last_index", 0));
    KILN_ASSIGN(in, Inputs(c, 1));
    return c.Emit(op, in, {{"axis", axis}, {"keepdims", keep}, {"select_last_index", last}});
  };
}

// The axis is a one-value input, which kiln needs constant.
absl::Status CumSum(ImportContext& c) {
  KILN_ASSIGN(axis, c.ConstantInts(1, "CumSum's axis"));
  if (axis.size() != 1) {
    return c.Invalid(absl::StrCat("axis has ", axis.size(), " values; expected one"));
  }
  KILN_ASSIGN(exclusive, c.AttrInt("exclusive", 0));
  KILN_ASSIGN(reverse, c.AttrInt("reverse", 0));
  KILN_ASSIGN(in, Inputs(c, 1));
  return c.Emit("cumsum", in, {{"axis", axis[0]}, {"exclusive", exclusive}, {"reverse", reverse}});
}

KILN_REGISTER_ONNX_CONVERTER(CumSum, 11, kLatestOpset, CumSum);
KILN_REGISTER_ONNX_CONVERTER(ArgMax, 1, kLatestOpset, ArgReduce("argmax"));
KILN_REGISTER_ONNX_CONVERTER(ArgMin, 1, kLatestOpset, ArgReduce("argmin"));

}  // namespace
}  // namespace kiln::frontend

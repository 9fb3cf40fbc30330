// Helpers shared by the ONNX converter families in this folder.
//
// Converters ignore the consumed_inputs attribute of opsets 1-5: it was a
// hint for running in place and never changed a result.
#ifndef KILN_FRONTEND_CONVERTERS_CONVERTER_UTIL_H_
#define KILN_FRONTEND_CONVERTERS_CONVERTER_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "frontend/onnx_context.h"
#include "frontend/onnx_converter_registry.h"

// Declares `lhs` as the value of the StatusOr `expr`, or returns its error.
#define KILN_ASSIGN(lhs, expr)                  \
  auto lhs##_or = (expr);                       \
  if (!lhs##_or.ok()) return lhs##_or.status(); \
  auto lhs = *std::move(lhs##_or)

namespace kiln::frontend {

// The node's first `count` inputs as value ids.
absl::StatusOr<std::vector<int>> Inputs(ImportContext& c, int count);

// Optional input `i` as constant int64s; empty when the node lacks it.
absl::StatusOr<std::vector<int64_t>> OptionalConstantInts(ImportContext& c, int i,
                                                          const char* what);

// Squeeze, Unsqueeze and the Reduce ops took their axes from an attribute
// until an opset made them an optional input (13, or 18 for most Reduce ops).
absl::StatusOr<std::vector<int64_t>> AxesFromAttribute(ImportContext& c);
absl::StatusOr<std::vector<int64_t>> AxesFromInput(ImportContext& c);

// Until opset 7, BatchNormalization and Dropout ran as in training unless
// is_test was nonzero (ONNX's default is 0); kiln refuses training, naming
// `what` was asked for.
absl::Status RequireIsTest(ImportContext& c, const std::string& what);

// Refuses constant indices (input `i`) outside [-size, size) of data axis
// `axis`: ONNX Runtime fails on them at run time, and kiln's gather kernels
// would clamp them silently. An axis out of range is left for the op to
// report; indices computed at run time are clamped by the kernels.
absl::Status CheckConstantIndices(ImportContext& c, int i, int64_t axis);

// `value` reshaped so that its dimensions line up with those of a rank-`rank`
// tensor from `axis` on (trailing 1s appended), for numpy broadcasting.
absl::StatusOr<int> AlignAt(ImportContext& c, int value, int64_t axis, int64_t rank);

// A two-operand ONNX op that maps to kiln operator `op` unchanged.
Converter BinaryOp(std::string op);

// Runs the converter registered for `node`'s op type at the model's opset on
// `node` (a rewritten form of the node being converted: another op type, its
// attributes kept) with `inputs` as its operands; returns its first output.
// A quantized Conv, say, converts as a Conv of dequantized operands and so
// accepts whatever Conv accepts.
absl::StatusOr<int> ConvertAs(ImportContext& c, onnx::NodeProto node,
                              const std::vector<int>& inputs);

}  // namespace kiln::frontend

#endif  // KILN_FRONTEND_CONVERTERS_CONVERTER_UTIL_H_

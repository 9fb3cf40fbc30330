// Elementwise consumers fused into the kernel that produces their operand
// (a convolution's GELU or SiLU): the consumer's fused_elementwise program
// is stored on the kernel under "post." keys and its other operands become
// the kernel's last inputs, so the kernel stores final values in one pass
// instead of leaving its raw output for another kernel to read back.
//
// In the program, operand 0 is the kernel's own result (after its bias,
// residual and activation) and operand k >= 1 is the kernel's input
// inputs.size() - PostOpInputs(kernel) + k - 1. Every value is float32. An
// operand with as many elements as the result is read as if reshaped to
// the result's shape (a dense kernel's [M, N] result feeds a consumer of
// its [1, M, N] reshape); any other broadcasts against the result's shape
// by numpy's rules, leading 1s beyond the result's rank dropped (a bias of
// [1, 1, N] against [M, N]).
#ifndef KILN_IR_GRAPH_POST_OPS_H_
#define KILN_IR_GRAPH_POST_OPS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/graph/fused_elementwise.h"
#include "ir/graph/graph.h"

namespace kiln::graph {

// The shape `operand` is read in against a kernel result of `result`
// (above); nullopt when it neither has the result's element count nor
// broadcasts against it.
std::optional<std::vector<int64_t>> PostOpOperandShape(const std::vector<int64_t>& result,
                                                       const std::vector<int64_t>& operand);

bool HasPostOps(const Node& kernel);

// How many of the kernel's last inputs the program reads (0 without one).
absl::StatusOr<int64_t> PostOpInputs(const Node& kernel);

// The program as a fused_elementwise node over (the kernel's result, its
// post-op inputs), writing the kernel's output.
absl::StatusOr<Node> PostOpsNode(const Node& kernel);

// Stores `consumer` (a fused_elementwise node one of whose inputs is
// `result`, the kernel's output) on `kernel`: its other inputs are appended
// to the kernel's inputs, after its first `fixed_inputs` (absent optional
// ones become -1), and the kernel takes over its output. The kernel must
// have no program yet.
absl::Status AppendPostOps(Node& kernel, const Node& consumer, int result, size_t fixed_inputs);

// The reference: the program applied to `result` given all of the kernel's
// input arrays (`inputs`, undefined where an optional input is absent).
absl::StatusOr<NDArray> ApplyPostOps(const Node& kernel, NDArray result,
                                     const std::vector<NDArray>& inputs);

// Shape inference: the program's result type given the kernel's `result`
// type and all of its input types; InvalidArgument unless it equals `result`.
absl::Status CheckPostOpTypes(const Node& kernel, const TensorType& result,
                              const std::vector<const TensorType*>& inputs);

}  // namespace kiln::graph

#endif  // KILN_IR_GRAPH_POST_OPS_H_

// What each graph operator means: its type inference, a plain reference
// implementation and its pattern. The reference implementations are the
// oracle compiled models are checked against, and constant folding evaluates
// with them.
//
// An operator is known exactly when it is registered here; the importer
// asks this registry, and passes ask it for an operator's pattern instead of
// keeping lists of names. Whether a known operator compiles is the lowering
// registry's business (ir/ops/lowering_registry.h).
#ifndef KILN_IR_GRAPH_OP_REGISTRY_H_
#define KILN_IR_GRAPH_OP_REGISTRY_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "ir/graph/graph.h"
#include "runtime/registry.h"

namespace kiln::graph {

// How an operator's outputs depend on its inputs, as TVM's TOpPattern: what
// fusion and layout passes may assume without knowing the operator.
enum class OpPattern {
  kElementwise,      // output element i from input element i
  kBroadcast,        // elementwise after numpy broadcasting of the inputs
  kInjective,        // each output element is one input element (shape ops)
  kReduction,        // output elements fold input elements along axes
  kOutEWiseFusable,  // conv-like: an elementwise epilogue fuses into the output
  kOpaque,           // none of the above
};

struct OpDef {
  OpPattern pattern = OpPattern::kOpaque;
  // Computes each channel from the same channel alone, so it runs on
  // NCHW[x]c tensors as it is (pooling).
  bool channelwise = false;
  // For a kernel that runs fused post ops in its store (ir/graph/post_ops.h):
  // how many inputs of its own come before the post ops' operands (optional
  // ones included). 0: it runs none.
  size_t post_op_inputs = 0;
  // For an operator that runs on NCHW[block]c data once its attributes are
  // re-indexed for 5-D (concat along the channels, resize of the spatial
  // axes): the node rewritten for inputs that all come in that layout, or
  // nullopt when this instance cannot (it mixes channels, or its channels do
  // not divide into blocks). `plain` are the inputs' NCHW types.
  std::function<std::optional<Node>(const Node&, const std::vector<const TensorType*>& plain,
                                    int64_t block)>
      to_nchwc;
  // For an operator that moves its first input's channels apart in equal
  // groups (depth_to_space sends each group to one pixel of a block): the
  // number of groups, so that the kernel writing that input can block its
  // channels within a group. Unset: the input's channels stay together.
  std::function<int64_t(const Node&)> input_channel_groups;
  // Output types from input types (nullptr for omitted optional inputs).
  std::function<absl::StatusOr<std::vector<TensorType>>(
      const Node&, const std::vector<const TensorType*>&)>
      infer;
  // Outputs from inputs (empty NDArray for omitted optional inputs).
  std::function<absl::StatusOr<std::vector<NDArray>>(const Node&, const std::vector<NDArray>&)>
      evaluate;
};

Registry<OpDef>& OpRegistry();

// The pattern of a registered operator; kOpaque for unknown ones.
OpPattern PatternOf(absl::string_view op);

// Infers the types of every node's outputs in order, overwriting them.
absl::Status InferTypes(Graph& graph);

// Runs the graph with the reference implementations.
absl::StatusOr<std::vector<NDArray>> Evaluate(
    const Graph& graph, const absl::flat_hash_map<std::string, NDArray>& inputs);

// Evaluates one node whose inputs are all available.
absl::StatusOr<std::vector<NDArray>> EvaluateNode(const Node& node,
                                                  const std::vector<NDArray>& inputs);

}  // namespace kiln::graph

#endif  // KILN_IR_GRAPH_OP_REGISTRY_H_

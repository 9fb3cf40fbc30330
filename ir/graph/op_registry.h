// What each graph operator means: its type inference and a plain reference
// implementation. The reference implementations are the oracle compiled
// models are checked against, and constant folding evaluates with them.
//
// An operator is supported exactly when it is registered here; the importer
// and the conformance test ask this registry, so there is no second list.
#ifndef KILN_IR_GRAPH_OP_REGISTRY_H_
#define KILN_IR_GRAPH_OP_REGISTRY_H_

#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "ir/graph/graph.h"
#include "runtime/registry.h"

namespace kiln::graph {

struct OpDef {
  // Output types from input types (nullptr for omitted optional inputs).
  std::function<absl::StatusOr<std::vector<TensorType>>(
      const Node&, const std::vector<const TensorType*>&)>
      infer;
  // Outputs from inputs (empty NDArray for omitted optional inputs).
  std::function<absl::StatusOr<std::vector<NDArray>>(const Node&, const std::vector<NDArray>&)>
      evaluate;
};

Registry<OpDef>& OpRegistry();

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

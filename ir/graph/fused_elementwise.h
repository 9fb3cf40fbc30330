// A chain of elementwise operators fused into one node ("fused_elementwise").
//
// The node stores a small program in its attributes: `ops` ("mul,add,relu"),
// `arity` (operands per step) and `operands`, where an operand k >= 0 is the
// node's input k and k < 0 is the result of step -k-1; attributes of step s
// are stored under "s<s>.<name>". The last step's result is the output.
// Which operators a step may be is ir::ops::IsFusableElementwise's answer.
#ifndef KILN_IR_GRAPH_FUSED_ELEMENTWISE_H_
#define KILN_IR_GRAPH_FUSED_ELEMENTWISE_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/graph/graph.h"

namespace kiln::graph {

struct FusedStep {
  Node node;  // op and attributes; its inputs/outputs are unused
  std::vector<int64_t> operands;
};

// Decodes and checks the program of a fused_elementwise node.
absl::StatusOr<std::vector<FusedStep>> FusedProgram(const Node& n);

// `n` itself when it is a fused_elementwise node, else the one-step
// program of the elementwise operator it is, over the same inputs.
Node AsFusedElementwise(const Node& n);

// A fused_elementwise node running `steps` over `inputs` into `output`.
Node MakeFusedElementwise(std::string name, const std::vector<FusedStep>& steps,
                          std::vector<int> inputs, int output);

}  // namespace kiln::graph

#endif  // KILN_IR_GRAPH_FUSED_ELEMENTWISE_H_

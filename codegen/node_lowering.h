// From graph nodes to kernels: which operator library function computes a
// node, with which workload and schedule (TVM calls this the op strategy).
//
// A kernel's arguments are the node's present inputs in order, then its
// outputs. Nodes that only reinterpret their input's bytes (reshape,
// identity) need no kernel: the executor copies them.
#ifndef KILN_CODEGEN_NODE_LOWERING_H_
#define KILN_CODEGEN_NODE_LOWERING_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/expr.h"
#include "ir/graph/graph.h"
#include "ir/stmt.h"
#include "targets/target.h"

namespace kiln::codegen {

bool IsCopyNode(const graph::Node& node);

// Unimplemented (naming the node and op) when kiln has no kernel for it.
absl::StatusOr<ir::LoweredFunc> LowerNode(const graph::Graph& g, const graph::Node& node,
                                          const targets::Target& target,
                                          const std::string& kernel_name);

// The value of one elementwise operator (see graph::IsElementwiseOp) on its
// operands' values.
absl::StatusOr<ir::Expr> ElementwiseExpr(const graph::Node& op,
                                         const std::vector<ir::Expr>& operands);

}  // namespace kiln::codegen

#endif  // KILN_CODEGEN_NODE_LOWERING_H_

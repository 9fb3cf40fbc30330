// Compiles one graph node into a kernel through the lowering its operator
// registered (ir/ops/lowering_registry.h). Nodes that only reinterpret their
// input's bytes (reshape) need no kernel: the executor copies them.
#ifndef KILN_CODEGEN_NODE_LOWERING_H_
#define KILN_CODEGEN_NODE_LOWERING_H_

#include <string>

#include "absl/status/statusor.h"
#include "ir/graph/graph.h"
#include "ir/stmt.h"
#include "targets/target.h"

namespace kiln::codegen {

bool IsCopyNode(const graph::Node& node);

// Unimplemented (naming the node and op) when kiln has no kernel for it.
absl::StatusOr<ir::LoweredFunc> LowerNode(const graph::Graph& g, const graph::Node& node,
                                          const targets::Target& target,
                                          const std::string& kernel_name);

}  // namespace kiln::codegen

#endif  // KILN_CODEGEN_NODE_LOWERING_H_

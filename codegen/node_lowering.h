// Compiles one graph node into a kernel through the lowering its operator
// registered (ir/ops/lowering_registry.h). Nodes that only reinterpret their
// input's bytes (reshape) need no kernel: their output is a view of the
// input, or, where it cannot be, the executor copies them.
#ifndef KILN_CODEGEN_NODE_LOWERING_H_
#define KILN_CODEGEN_NODE_LOWERING_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "ir/graph/graph.h"
#include "ir/stmt.h"
#include "targets/target.h"

namespace kiln::codegen {

bool IsCopyNode(const graph::Node& node);

// Where a node's output lies inside its input's bytes when it only selects
// them: 0 for a reshape; for a slice that keeps one contiguous run of its
// input's elements (whole trailing axes, one index of each leading one; an
// LSTM step's gates of its [1, 4H] product), the byte offset of that run.
// nullopt when the output needs its own bytes.
std::optional<int64_t> ViewOffset(const graph::Graph& g, const graph::Node& node);

// Unimplemented (naming the node and op) when kiln has no kernel for it.
absl::StatusOr<ir::LoweredFunc> LowerNode(const graph::Graph& g, const graph::Node& node,
                                          const targets::Target& target,
                                          const std::string& kernel_name);

}  // namespace kiln::codegen

#endif  // KILN_CODEGEN_NODE_LOWERING_H_

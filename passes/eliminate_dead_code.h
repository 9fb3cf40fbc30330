// Removes nodes whose outputs no graph output depends on.
#ifndef KILN_PASSES_ELIMINATE_DEAD_CODE_H_
#define KILN_PASSES_ELIMINATE_DEAD_CODE_H_

#include "absl/status/status.h"
#include "ir/graph/graph.h"

namespace kiln::passes {

absl::Status EliminateDeadCode(graph::Graph& g);

}  // namespace kiln::passes

#endif  // KILN_PASSES_ELIMINATE_DEAD_CODE_H_

// The graph optimization pipeline: one list of passes, each a function that
// rewrites a graph in place, with an optional dump after each.
#ifndef KILN_PASSES_PIPELINE_H_
#define KILN_PASSES_PIPELINE_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "ir/graph/graph.h"

namespace kiln::passes {

struct PipelineOptions {
  // Called with each pass's name and the graph after it. KILN_DUMP_GRAPH=1
  // prints the same to stderr.
  std::function<void(const std::string& pass, const graph::Graph&)> dump;
};

absl::Status OptimizeGraph(graph::Graph& g, const PipelineOptions& options = {});

}  // namespace kiln::passes

#endif  // KILN_PASSES_PIPELINE_H_

// The graph optimization pipeline: one list of passes, each a function that
// rewrites a graph in place, with an optional dump after each.
//
// Without a target the list stops after the target-independent
// passes (the graph stays in ONNX's NCHW layout and can be read as a model);
// with one it continues into the layout and fusion passes that prepare the
// graph for code generation.
#ifndef KILN_PASSES_PIPELINE_H_
#define KILN_PASSES_PIPELINE_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "ir/graph/graph.h"
#include "ir/tuning/schedule_context.h"
#include "targets/target.h"

namespace kiln::passes {

struct PipelineOptions {
  // Called with each pass's name and the graph after it. KILN_DUMP_GRAPH=1
  // prints the same to stderr.
  std::function<void(const std::string& pass, const graph::Graph&)> dump;
  // With a target the pipeline prepares the graph for code generation on it;
  // `schedules` picks the schedule of each tunable node (and so the blocked
  // layout of convolutions); null means the target's defaults.
  const targets::Target* target = nullptr;
  tuning::ScheduleContext* schedules = nullptr;
};

absl::Status OptimizeGraph(graph::Graph& g, const PipelineOptions& options = {});

}  // namespace kiln::passes

#endif  // KILN_PASSES_PIPELINE_H_

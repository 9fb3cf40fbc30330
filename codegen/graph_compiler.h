// Compiling a whole model: the graph passes for the target, one kernel per
// node (identical nodes share one), static memory planning, and the
// execution plan the runtime runs. The result runs in-process through the
// JIT or is written as a deployable artifact.
#ifndef KILN_CODEGEN_GRAPH_COMPILER_H_
#define KILN_CODEGEN_GRAPH_COMPILER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "codegen/jit.h"
#include "ir/graph/graph.h"
#include "ir/stmt.h"
#include "ir/tuning/schedule_context.h"
#include "passes/pipeline.h"
#include "runtime/execution_plan.h"
#include "runtime/graph_executor.h"
#include "targets/target.h"

namespace kiln::codegen {

struct CompileOptions {
  // Picks the schedule of every tunable node; the target's defaults when null.
  tuning::ScheduleContext* schedules = nullptr;
  // Called with each graph pass's name and the graph after it.
  std::function<void(const std::string& pass, const graph::Graph&)> dump;
};

struct CompiledGraph {
  runtime::ExecutionPlan plan;
  std::vector<ir::LoweredFunc> kernels;
  int64_t unplanned_bytes = 0;  // the intermediates' total size without reuse
  graph::Graph optimized;       // the graph the plan was made from
};

// Consumes an imported graph. Unimplemented when a node has no kernel
// (the error names it), InvalidArgument for a malformed graph.
absl::StatusOr<CompiledGraph> CompileGraph(graph::Graph g, const targets::Target& target,
                                           const CompileOptions& options = {});

// The plan from an already optimized graph (the last steps of CompileGraph).
absl::StatusOr<CompiledGraph> PlanGraph(graph::Graph g, const targets::Target& target);

// Runs compiled kernels in this process.
struct JitModel {
  std::unique_ptr<JitModule> jit;
  std::unique_ptr<runtime::GraphExecutor> executor;
};
absl::StatusOr<JitModel> BuildJitModel(const CompiledGraph& compiled,
                                       const targets::Target& target);

// OK when an artifact can be written to `path`: its folder exists and is
// writable. Errors name `path` and the folder.
absl::Status CheckArtifactPath(const std::string& path);

// The deployable artifact (see runtime/artifact.h), written to `path`.
absl::Status WriteArtifact(const CompiledGraph& compiled, const targets::Target& target,
                           const std::string& path);

}  // namespace kiln::codegen

#endif  // KILN_CODEGEN_GRAPH_COMPILER_H_

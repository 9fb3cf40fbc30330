#include "passes/pipeline.h"

#include <cstdlib>
#include <iostream>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ir/graph/op_registry.h"
#include "passes/eliminate_dead_code.h"
#include "passes/fold_batch_norm.h"

namespace kiln::passes {

absl::Status OptimizeGraph(graph::Graph& g, const PipelineOptions& options) {
  // Constant folding happens while importing (nodes whose inputs are all
  // constant are evaluated on the spot), so the list starts after it.
  const std::vector<std::pair<const char*, absl::Status (*)(graph::Graph&)>> pipeline = {
      {"fold_batch_norm", FoldBatchNorm},
      {"eliminate_dead_code", EliminateDeadCode},
      {"infer_types", graph::InferTypes},
  };
  const bool dump_env = std::getenv("KILN_DUMP_GRAPH") != nullptr;
  for (const auto& [name, pass] : pipeline) {
    if (auto st = pass(g); !st.ok()) {
      return absl::Status(st.code(), absl::StrCat("graph pass ", name, ": ", st.message()));
    }
    if (options.dump) options.dump(name, g);
    if (dump_env) std::cerr << "---- graph after " << name << " ----\n" << g.ToString();
  }
  return absl::OkStatus();
}

}  // namespace kiln::passes

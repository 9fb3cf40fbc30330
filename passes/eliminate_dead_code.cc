#include "passes/eliminate_dead_code.h"

#include <vector>

#include "passes/graph_edit.h"

namespace kiln::passes {

absl::Status EliminateDeadCode(graph::Graph& g) {
  std::vector<bool> live(g.values().size(), false);
  for (int id : g.outputs()) live[id] = true;
  // Inputs are the model's interface even when unread; one bound to a value
  // when importing keeps it, for the check of what a run feeds.
  for (int id : g.inputs()) live[id] = true;
  std::vector<bool> keep(g.nodes().size(), false);
  for (int k = static_cast<int>(g.nodes().size()) - 1; k >= 0; --k) {
    const graph::Node& node = g.nodes()[k];
    for (int out : node.outputs) keep[k] = keep[k] || live[out];
    if (!keep[k]) continue;
    for (int in : node.inputs) {
      if (in >= 0) live[in] = true;
    }
  }
  std::vector<bool> removed(keep.size());
  for (size_t k = 0; k < keep.size(); ++k) removed[k] = !keep[k];
  RemoveNodes(g, removed);
  // Constants nothing reads any more: drop their data.
  for (size_t v = 0; v < g.values().size(); ++v) {
    if (!live[v] && g.values()[v].constant) g.mutable_value(v).constant.reset();
  }
  return g.Verify();
}

}  // namespace kiln::passes

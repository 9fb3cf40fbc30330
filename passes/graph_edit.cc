#include "passes/graph_edit.h"

#include <utility>

namespace kiln::passes {

std::vector<int> CountUses(const graph::Graph& g) {
  std::vector<int> uses(g.values().size(), 0);
  for (const graph::Node& n : g.nodes()) {
    for (int in : n.inputs) {
      if (in >= 0) ++uses[in];
    }
  }
  for (int out : g.outputs()) ++uses[out];
  return uses;
}

void RemoveNodes(graph::Graph& g, const std::vector<bool>& removed) {
  std::vector<graph::Node> kept;
  for (size_t k = 0; k < g.nodes().size(); ++k) {
    if (k >= removed.size() || !removed[k]) kept.push_back(std::move(g.mutable_nodes()[k]));
  }
  ReplaceNodes(g, std::move(kept));
}

void ReplaceNodes(graph::Graph& g, std::vector<graph::Node> nodes) {
  g.mutable_nodes() = std::move(nodes);
  for (auto& v : g.mutable_values()) v.producer = -1;
  for (size_t k = 0; k < g.nodes().size(); ++k) {
    for (int out : g.nodes()[k].outputs) g.mutable_value(out).producer = static_cast<int>(k);
  }
}

}  // namespace kiln::passes

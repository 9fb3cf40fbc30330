// Small edits every rewriting pass needs: counting how often values are
// read, and dropping nodes while keeping producers consistent.
#ifndef KILN_PASSES_GRAPH_EDIT_H_
#define KILN_PASSES_GRAPH_EDIT_H_

#include <vector>

#include "ir/graph/graph.h"

namespace kiln::passes {

// Reads of each value by nodes, plus one for each use as a graph output.
std::vector<int> CountUses(const graph::Graph& g);

// Removes the nodes marked in `removed` (indexed by node) and recomputes
// every value's producer.
void RemoveNodes(graph::Graph& g, const std::vector<bool>& removed);

// Makes `nodes` the graph's nodes and recomputes every value's producer.
void ReplaceNodes(graph::Graph& g, std::vector<graph::Node> nodes);

}  // namespace kiln::passes

#endif  // KILN_PASSES_GRAPH_EDIT_H_

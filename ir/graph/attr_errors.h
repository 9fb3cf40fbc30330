// Errors of the typed attribute structs (attrs_*.h) about attribute values:
// each names the node, as Node's typed accessors do for missing attributes
// and wrong types.
#ifndef KILN_IR_GRAPH_ATTR_ERRORS_H_
#define KILN_IR_GRAPH_ATTR_ERRORS_H_

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ir/graph/graph.h"

namespace kiln::graph {

// InvalidArgument "<op> <name>: <what>".
inline absl::Status AttrError(const Node& n, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(n.op, " ", n.name, ": ", what));
}

}  // namespace kiln::graph

#endif  // KILN_IR_GRAPH_ATTR_ERRORS_H_

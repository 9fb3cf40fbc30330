// Typed attributes of the activation functions with parameters (leaky_relu,
// clip, hard_sigmoid): the only code reading their attribute strings, for
// the reference implementations and the compiled expressions alike.
#ifndef KILN_IR_GRAPH_ATTRS_ACTIVATION_H_
#define KILN_IR_GRAPH_ATTRS_ACTIVATION_H_

#include <optional>

#include "absl/status/statusor.h"
#include "ir/graph/graph.h"

namespace kiln::graph {

struct LeakyReluAttrs {
  double alpha = 0.01;

  static absl::StatusOr<LeakyReluAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

// An absent bound does not clip.
struct ClipAttrs {
  std::optional<double> min, max;

  static absl::StatusOr<ClipAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

struct HardSigmoidAttrs {
  double alpha = 0.2;
  double beta = 0.5;

  static absl::StatusOr<HardSigmoidAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

}  // namespace kiln::graph

#endif  // KILN_IR_GRAPH_ATTRS_ACTIVATION_H_

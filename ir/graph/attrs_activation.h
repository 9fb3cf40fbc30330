// Typed attributes of the activation functions with parameters (leaky_relu,
// clip, hard_sigmoid, elu, celu, thresholded_relu, selu, gelu) and of mod
// and is_inf:
// the only code reading their attribute strings, for
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

// elu, celu and thresholded_relu: one parameter, 1 unless given.
struct AlphaAttrs {
  double alpha = 1.0;

  static absl::StatusOr<AlphaAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

// ONNX's defaults, the constants that make SELU self-normalizing.
struct SeluAttrs {
  double alpha = 1.67326319217681884765625;
  double gamma = 1.05070102214813232421875;

  static absl::StatusOr<SeluAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

// Attribute `approximate`: "none" (erf) or "tanh".
struct GeluAttrs {
  bool tanh = false;

  static absl::StatusOr<GeluAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

// fmod: the remainder takes the dividend's sign (C's fmod) rather than the
// divisor's (Python's %).
struct ModAttrs {
  bool fmod = false;

  static absl::StatusOr<ModAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

// Which infinities is_inf reports.
// bit_shift: `direction` "LEFT" or "RIGHT", as ONNX's BitShift.
struct BitShiftAttrs {
  bool left = true;

  static absl::StatusOr<BitShiftAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

struct IsInfAttrs {
  bool negative = true;
  bool positive = true;

  static absl::StatusOr<IsInfAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

}  // namespace kiln::graph

#endif  // KILN_IR_GRAPH_ATTRS_ACTIVATION_H_

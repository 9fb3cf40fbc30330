// Typed attributes of the neural-network operators (convolutions, pooling,
// softmax, batch_norm, gemm): the only code that reads their attribute strings, so each
// default and each check exists once. Read() fails with a message naming the
// node and what was expected; Write() stores the attributes back onto a node.
#ifndef KILN_IR_GRAPH_ATTRS_NN_H_
#define KILN_IR_GRAPH_ATTRS_NN_H_

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/graph/graph.h"

namespace kiln::graph {

// conv, conv2d_nchwc and conv2d_winograd_nchwc. Pads are [top, left,
// bottom, right].
struct Conv2dAttrs {
  std::vector<int64_t> strides = {1, 1};
  std::vector<int64_t> dilations = {1, 1};
  std::vector<int64_t> pads = {0, 0, 0, 0};
  int64_t group = 1;

  static absl::StatusOr<Conv2dAttrs> Read(const Node& n);
  void Write(Node& n) const;

  bool symmetric_pads() const { return pads[0] == pads[2] && pads[1] == pads[3]; }
  // Output rows and columns for an input of `height` x `width` and a kernel
  // of `kernel_h` x `kernel_w`.
  int64_t OutHeight(int64_t height, int64_t kernel_h) const;
  int64_t OutWidth(int64_t width, int64_t kernel_w) const;
};

// max_pool and avg_pool.
struct Pool2dAttrs {
  std::vector<int64_t> kernel;  // [KH, KW], required
  std::vector<int64_t> strides = {1, 1};
  std::vector<int64_t> pads = {0, 0, 0, 0};
  std::vector<int64_t> dilations = {1, 1};
  bool ceil_mode = false;
  bool count_include_pad = false;

  // Unimplemented for windows other than 2-D.
  static absl::StatusOr<Pool2dAttrs> Read(const Node& n);
  void Write(Node& n) const;

  int64_t OutHeight(int64_t height) const;
  int64_t OutWidth(int64_t width) const;
};

// conv_transpose.
struct ConvTransposeAttrs {
  std::vector<int64_t> strides = {1, 1};
  std::vector<int64_t> dilations = {1, 1};
  std::vector<int64_t> pads = {0, 0, 0, 0};
  std::vector<int64_t> output_padding = {0, 0};
  int64_t group = 1;

  static absl::StatusOr<ConvTransposeAttrs> Read(const Node& n);
  void Write(Node& n) const;

  int64_t OutHeight(int64_t height, int64_t kernel_h) const;
  int64_t OutWidth(int64_t width, int64_t kernel_w) const;
};

// softmax: over `axis`, or with `flatten` (opsets before 13) over all axes
// from `axis` on.
struct SoftmaxAttrs {
  int64_t axis = -1;
  bool flatten = false;

  static absl::StatusOr<SoftmaxAttrs> Read(const Node& n);
  void Write(Node& n) const;

  // The axis of a `rank`-D input, made non-negative.
  absl::StatusOr<int64_t> Axis(size_t rank) const;
};

// conv2d_nchwc and conv2d_winograd_nchwc: the activation fused into the
// output ("none" or "relu").
struct ConvEpilogueAttrs {
  // The output is clamped to [lo, hi]: none, ReLU ([0, inf)) or a Clip.
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();

  double Apply(double v) const { return std::min<double>(std::max<double>(v, lo), hi); }
  friend bool operator==(const ConvEpilogueAttrs& a, const ConvEpilogueAttrs& b) {
    return a.lo == b.lo && a.hi == b.hi;
  }

  static absl::StatusOr<ConvEpilogueAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

// batch_norm (inference) and instance_norm.
struct BatchNormAttrs {
  double epsilon = 1e-5;

  static absl::StatusOr<BatchNormAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

// layer_norm: normalizes over the axes from `axis` on; with `stats` the
// node also outputs each row's mean and 1 / sqrt(variance + epsilon).
struct LayerNormAttrs {
  int64_t axis = -1;
  double epsilon = 1e-5;
  bool stats = false;

  static absl::StatusOr<LayerNormAttrs> Read(const Node& n);
  void Write(Node& n) const;

  // The axis of a `rank`-D input, made non-negative.
  absl::StatusOr<int64_t> Axis(size_t rank) const;
};

// gemm: alpha * A' B' + beta * C, A' and B' transposed when asked.
struct GemmAttrs {
  bool trans_a = false;
  bool trans_b = false;
  double alpha = 1.0;
  double beta = 1.0;

  static absl::StatusOr<GemmAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

}  // namespace kiln::graph

#endif  // KILN_IR_GRAPH_ATTRS_NN_H_

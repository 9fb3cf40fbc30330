// Typed attributes of grid_sample: how to interpolate an NCHW image at the
// points of a sampling grid and what lies outside the image.
#ifndef KILN_IR_GRAPH_ATTRS_GRID_SAMPLE_H_
#define KILN_IR_GRAPH_ATTRS_GRID_SAMPLE_H_

#include "absl/status/statusor.h"
#include "ir/graph/graph.h"

namespace kiln::graph {

struct GridSampleAttrs {
  enum class Mode { kLinear, kNearest, kCubic };
  // Outside the image: zeros, the nearest border pixel, or the image
  // reflected at its border.
  enum class Padding { kZeros, kBorder, kReflection };

  Mode mode = Mode::kLinear;
  Padding padding = Padding::kZeros;
  // Whether grid values -1 and 1 are the centers of the corner pixels
  // (rather than their outer edges).
  bool align_corners = false;

  static absl::StatusOr<GridSampleAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

}  // namespace kiln::graph

#endif  // KILN_IR_GRAPH_ATTRS_GRID_SAMPLE_H_

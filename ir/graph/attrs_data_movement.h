// Typed attributes of the operators that only move elements (transpose,
// concat, slice, pad, tile, trilu, gather_elements, resize, depth_to_space,
// layout_transform): the only code reading their attribute strings. Read() fails with a message naming the node and
// what was expected; Write() stores the attributes back onto a node.
#ifndef KILN_IR_GRAPH_ATTRS_DATA_MOVEMENT_H_
#define KILN_IR_GRAPH_ATTRS_DATA_MOVEMENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/graph/graph.h"

namespace kiln::graph {

struct TransposeAttrs {
  std::vector<int64_t> perm;  // empty: the axes reversed

  static absl::StatusOr<TransposeAttrs> Read(const Node& n);
  void Write(Node& n) const;

  // The permutation of a `rank`-D input; InvalidArgument when perm is not one.
  absl::StatusOr<std::vector<int64_t>> Perm(size_t rank) const;
};

// The one axis of concat and gather.
struct SingleAxisAttrs {
  int64_t axis = 0;

  static absl::StatusOr<SingleAxisAttrs> Read(const Node& n);
  void Write(Node& n) const;

  // The axis of `rank`-D inputs, made non-negative; rank 0 is an error.
  absl::StatusOr<int64_t> Axis(size_t rank) const;
};
using ConcatAttrs = SingleAxisAttrs;
using GatherAttrs = SingleAxisAttrs;

// split: the axis and the size of each piece along it (the importer resolves
// equal splits into sizes).
struct SplitAttrs {
  SingleAxisAttrs axis;
  std::vector<int64_t> sizes;

  static absl::StatusOr<SplitAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

// reshape: the final shape (the importer resolves 0 and -1).
struct ReshapeAttrs {
  std::vector<int64_t> shape;

  static absl::StatusOr<ReshapeAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

// cast: the element type converted to.
struct CastAttrs {
  runtime::DType to = runtime::DType::kFloat32;

  static absl::StatusOr<CastAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

// Per axis, already clamped by the importer.
struct SliceAttrs {
  std::vector<int64_t> starts, ends, steps;

  static absl::StatusOr<SliceAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

struct PadAttrs {
  enum class Mode { kConstant, kReflect, kEdge };

  std::vector<int64_t> pads;  // [begin_0, ..., begin_n, end_0, ..., end_n]
  Mode mode = Mode::kConstant;
  double value = 0.0;  // of the constant mode

  // Unimplemented for modes other than constant, reflect and edge.
  static absl::StatusOr<PadAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

// tile: each axis repeated `repeats[d]` times (ONNX Tile; Expand as the
// tiling of its size-1 axes).
struct TileAttrs {
  std::vector<int64_t> repeats;  // one per axis, non-negative

  static absl::StatusOr<TileAttrs> Read(const Node& n);
  void Write(Node& n) const;

  // The output shape for an input of `shape`: InvalidArgument unless there
  // is one repeat per axis and the output has at most 2^32 elements.
  absl::StatusOr<std::vector<int64_t>> OutShape(const std::vector<int64_t>& shape) const;
};

// gather_elements: out[i] = data[i with axis `axis` replaced by indices[i]].
struct GatherElementsAttrs {
  int64_t axis = 0;  // may be negative

  static absl::StatusOr<GatherElementsAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

// trilu: keeps the upper (column - row >= k) or lower (column - row <= k)
// triangle of the last two axes and zeroes the rest.
struct TriluAttrs {
  bool upper = true;
  int64_t k = 0;

  static absl::StatusOr<TriluAttrs> Read(const Node& n);
  void Write(Node& n) const;

  bool Keeps(int64_t row, int64_t column) const {
    return upper ? column - row >= k : column - row <= k;
  }
};

struct ResizeAttrs {
  std::vector<int64_t> sizes;  // the output shape
  std::vector<double> scales;  // per axis
  std::string mode = "nearest";
  std::string coordinate_mode = "half_pixel";
  std::string nearest_mode = "round_prefer_floor";

  static absl::StatusOr<ResizeAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

// depth_to_space in ONNX's DCR order, with a block of rows x columns: the
// channels of [N, rows * columns * C, H, W] are read as [rows, columns, C],
// and channel (r, s, c) of pixel (y, x) goes to channel c of pixel
// (y * rows + r, x * columns + s). On NCHW[b]c data ([N, rows * columns *
// C / b, H, W, b] -> [N, C / b, H * rows, W * columns, b]) the same holds
// for each block of b channels, since C is a multiple of b.
struct DepthToSpaceAttrs {
  int64_t rows = 1;
  int64_t columns = 1;

  // InvalidArgument unless `blocks` holds two positive sizes.
  static absl::StatusOr<DepthToSpaceAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

// Blocks of the channel axis: 0 is plain NCHW, b is NCHW[b]c.
struct LayoutTransformAttrs {
  int64_t src_block = 0;
  int64_t dst_block = 0;

  static absl::StatusOr<LayoutTransformAttrs> Read(const Node& n);
  void Write(Node& n) const;
};

}  // namespace kiln::graph

#endif  // KILN_IR_GRAPH_ATTRS_DATA_MOVEMENT_H_

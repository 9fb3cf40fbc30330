// Operators that only move data: transpose, depth_to_space, concat, slice, tile, trilu,
// pad, and layout
// changes between NCHW and NCHW[x]c. Each is one loop nest over its output
// reading the input at computed indices; loads are clamped into their
// buffers so that no lane of a select ever reads outside them. Each is built
// for an element type `elem` (any: they copy elements without computing on
// them), float32 by default.
#ifndef KILN_IR_OPS_DATA_MOVEMENT_H_
#define KILN_IR_OPS_DATA_MOVEMENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/data_type.h"
#include "ir/stmt.h"
#include "targets/target.h"

namespace kiln::ir::ops {

// out[i_0, ..., i_r] = in[i_perm^-1...]: out dim d is in dim perm[d].
absl::StatusOr<LoweredFunc> BuildTranspose(const std::vector<int64_t>& in_shape,
                                           const std::vector<int64_t>& perm,
                                           const targets::Target& target,
                                           const std::string& name,
    DataType elem = DataType::Float32());

// depth_to_space (DCR) with blocks of rows x columns, on NCHW (4-D
// in_shape) or NCHW[b]c (5-D) data; see graph::DepthToSpaceAttrs.
absl::StatusOr<LoweredFunc> BuildDepthToSpace(const std::vector<int64_t>& in_shape, int64_t rows,
                                              int64_t columns, const targets::Target& target,
                                              const std::string& name,
                                              DataType elem = DataType::Float32());

// Buffers: each input, then the output.
absl::StatusOr<LoweredFunc> BuildConcat(const std::vector<std::vector<int64_t>>& in_shapes,
                                        int64_t axis, const targets::Target& target,
                                        const std::string& name,
    DataType elem = DataType::Float32());

// out[i] = in[starts + i * steps] per axis; out_shape given (as inferred).
absl::StatusOr<LoweredFunc> BuildSlice(const std::vector<int64_t>& in_shape,
                                       const std::vector<int64_t>& starts,
                                       const std::vector<int64_t>& steps,
                                       const std::vector<int64_t>& out_shape,
                                       const targets::Target& target, const std::string& name,
    DataType elem = DataType::Float32());

// out[i] = in[i mod in_shape] per axis: each axis repeated repeats[d] times.
absl::StatusOr<LoweredFunc> BuildTile(const std::vector<int64_t>& in_shape,
                                      const std::vector<int64_t>& repeats,
                                      const targets::Target& target, const std::string& name,
    DataType elem = DataType::Float32());

// out = in where column - row >= k (upper) or <= k (lower) on the last two
// axes, else 0.
absl::StatusOr<LoweredFunc> BuildTrilu(const std::vector<int64_t>& shape, bool upper, int64_t k,
                                       const targets::Target& target, const std::string& name,
    DataType elem = DataType::Float32());

// Gather along `axis` (non-negative): out[o.., j.., i..] = data[o.., idx[j..], i..]
// with idx of an integer `index_type`. Negative indices count from the end;
// indices still outside the axis read its nearest end (the reference
// refuses them; a kernel cannot, and must not read outside the buffer).
// Buffers: data, indices, out.
absl::StatusOr<LoweredFunc> BuildGather(const std::vector<int64_t>& data_shape,
                                        const std::vector<int64_t>& indices_shape, int64_t axis,
                                        const targets::Target& target, const std::string& name,
                                        DataType elem, DataType index_type);

// out[i] = data[i with axis replaced by idx[i]], out of the indices' shape;
// indices as in BuildGather. Buffers: data, indices, out.
absl::StatusOr<LoweredFunc> BuildGatherElements(const std::vector<int64_t>& data_shape,
                                                const std::vector<int64_t>& indices_shape,
                                                int64_t axis, const targets::Target& target,
                                                const std::string& name, DataType elem,
                                                DataType index_type);

// ONNX GatherND: out[b.., t.., s..] = data[b.., indices[b.., t.., :], s..],
// each tuple along the indices' last axis naming the leading axes after the
// `batch_dims` shared ones; indices as in BuildGather. Buffers: data,
// indices, out.
absl::StatusOr<LoweredFunc> BuildGatherNd(const std::vector<int64_t>& data_shape,
                                          const std::vector<int64_t>& indices_shape,
                                          int64_t batch_dims, const targets::Target& target,
                                          const std::string& name, DataType elem,
                                          DataType index_type);

// Consecutive pieces of `sizes` along `axis`, one output each, in one
// kernel. Buffers: in, then the outputs.
absl::StatusOr<LoweredFunc> BuildSplit(const std::vector<int64_t>& in_shape, int64_t axis,
                                       const std::vector<int64_t>& sizes,
                                       const targets::Target& target, const std::string& name,
                                       DataType elem);

enum class PadMode { kConstant, kEdge, kReflect };
// pads: [begin_0, ..., begin_r, end_0, ..., end_r], non-negative.
absl::StatusOr<LoweredFunc> BuildPad(const std::vector<int64_t>& in_shape,
                                     const std::vector<int64_t>& pads, PadMode mode,
                                     double value, const targets::Target& target,
                                     const std::string& name,
                                     DataType elem = DataType::Float32());

// ONNX Resize without antialiasing: `mode` "nearest" or "linear",
// `coordinate_mode` half_pixel, pytorch_half_pixel, align_corners, asymmetric
// or tf_half_pixel_for_nn, `rounding` (nearest) round_prefer_floor,
// round_prefer_ceil, floor or ceil. Axes whose size does not change are
// copied; linear interpolation is over the resized axes (at most three).
struct ResizeWorkload {
  std::vector<int64_t> in_shape, out_shape;
  std::vector<double> scales;
  std::string mode = "nearest", coordinate_mode = "half_pixel", rounding = "round_prefer_floor";
};
absl::StatusOr<LoweredFunc> BuildResize(const ResizeWorkload& w, const targets::Target& target,
                                        const std::string& name);

// NCHW (block 0) or NCHW[src]c to NCHW (0) or NCHW[dst]c, for a tensor whose
// plain shape is `plain` [N, C, H, W].
absl::StatusOr<LoweredFunc> BuildLayoutTransform(const std::vector<int64_t>& plain,
                                                 int64_t src_block, int64_t dst_block,
                                                 const targets::Target& target,
                                                 const std::string& name,
    DataType elem = DataType::Float32());

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_DATA_MOVEMENT_H_

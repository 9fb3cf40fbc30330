// Depthwise conv2d (one filter per channel: ONNX Conv with group equal to
// the channels, the MobileNet block) in the blocked layout NCHW[b]c, so that
// it keeps the layout of the convolutions around it:
//
//   data   [N, C/b, H, W, b]   (the rows one output row reads, zero-padded
//                               into a staging buffer next to it)
//   weight [C/b, KH, KW, b]
//   output [N, C/b, OH, OW, b] = relu(conv + bias + residual), as w asks
//
// The schedule keeps a row tile of output pixels x one channel vector in
// registers while the kernel window is walked, rows in parallel.
#ifndef KILN_IR_OPS_CONV2D_DEPTHWISE_NCHWC_H_
#define KILN_IR_OPS_CONV2D_DEPTHWISE_NCHWC_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/ops/conv2d_nchwc.h"
#include "ir/stmt.h"
#include "targets/target.h"

namespace kiln::ir::ops {

// The block a depthwise conv on `channels` takes when its producer leaves
// the choice (plain input): the target's vector when it divides the
// channels, else the largest divisor below it.
int64_t DepthwiseBlock(int64_t channels, const targets::Target& target);

// The schedule's knob: output pixels of a row per register tile.
struct DepthwiseConfig {
  int64_t tile_ow = 1;
};

// A row tile whose accumulators take half of the registers: a pixel of a
// `block`-channel block takes block / lanes vectors of them. Tiles that
// used nearly all registers (28-29 of 32 accumulators) left LLVM spilling
// and rotating them through every kernel tap (MobileNetV2's depthwise
// layers at one thread: 1.0 -> 0.71 ms).
DepthwiseConfig DefaultDepthwiseConfig(const Conv2dWorkload& w, int64_t block,
                                       const targets::Target& target);

// w.out_channels must equal w.in_channels; `block` divides them. Buffers:
// data, weight, [bias (C)], [residual], the post ops' operands, output.
absl::StatusOr<LoweredFunc> BuildDepthwiseConv2dNCHWc(const Conv2dWorkload& w, int64_t block,
                                                      const DepthwiseConfig& config,
                                                      const std::string& name,
                                                      const PostOps& post = PostOps());

// The weight [C, 1, KH, KW] repacked to [C/block, KH, KW, block].
std::vector<float> PackDepthwiseWeight(const float* oihw, int64_t channels, int64_t kernel_h,
                                       int64_t kernel_w, int64_t block);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_CONV2D_DEPTHWISE_NCHWC_H_

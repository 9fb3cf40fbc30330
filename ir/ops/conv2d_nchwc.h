// conv2d in the blocked layout NCHW[x]c, the workhorse of CNNs on x86.
//
//   data   [N, IC/ic_bn, H, W, ic_bn]
//   kernel [OC/oc_bn, IC/ic_bn, KH, KW, ic_bn, oc_bn]
//   output [N, OC/oc_bn, OH, OW, oc_bn]
//
// The schedule is a register-blocked micro-kernel: for tile_ow output pixels of
// one row and oc_bn output channels (one vector), tile_ow vector accumulators
// stay in registers while the loops over input-channel blocks, kernel rows,
// kernel columns and the channels of a block broadcast one input value and
// multiply-add one weight vector into each accumulator. Bias, activation and a
// residual add are applied while the tile is stored.
#ifndef KILN_IR_OPS_CONV2D_NCHWC_H_
#define KILN_IR_OPS_CONV2D_NCHWC_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/ops/activation.h"
#include "ir/ops/post_ops.h"
#include "ir/ops/window.h"
#include "ir/schedule.h"
#include "ir/stmt.h"
#include "ir/tensor.h"
#include "ir/tuning/config_space.h"
#include "targets/target.h"

namespace kiln::ir::ops {

struct Conv2dWorkload {
  int64_t batch = 1, in_channels = 0, height = 0, width = 0;
  int64_t out_channels = 0, kernel_h = 0, kernel_w = 0;
  int64_t stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0, dilation_h = 1, dilation_w = 1;
  bool bias = false;
  Activation activation = Activation::kNone;
  bool residual = false;  // adds a tensor of the output's shape

  int64_t out_height() const {
    return WindowOutputSize(height, kernel_h, stride_h, dilation_h, pad_h, pad_h, false);
  }
  int64_t out_width() const {
    return WindowOutputSize(width, kernel_w, stride_w, dilation_w, pad_w, pad_w, false);
  }
  double flop() const {
    return 2.0 * batch * out_channels * out_height() * out_width() * in_channels * kernel_h *
           kernel_w;
  }
  std::string ToString() const;
};

// The schedule's knobs.
struct Conv2dNCHWcConfig {
  int64_t ic_bn = 16;  // input channels per block
  int64_t oc_bn = 16;  // output channels per block (the vector)
  int64_t tile_ow = 14;  // output pixels per register tile
  bool unroll_kw = false;
  // The parallel loop runs over (batch, groups of oc_group channel blocks,
  // output rows, blocks in the group): a group's weights stay in cache
  // while its rows pass, and each input row serves the whole group. 1 is
  // channel blocks outermost (weights read once, input once per block); the
  // block count is rows outermost (input read once, weights once per row).
  // Values that do not divide the block count shrink to the largest divisor.
  // Small outputs (AccumulatesWholeOutput) have no groups: always 1 there.
  int64_t oc_group = 1;
  // 0: the direct convolution above. 2 or 4: Winograd F(m x m, 3 x 3)
  // (ir/ops/conv2d_winograd.h), where tile_ow counts input tiles per register
  // block, oc_group groups the channel blocks of its GEMMs and unroll_kw
  // does not apply.
  int64_t winograd_tile = 0;
  // 0: each register tile passes over every input channel, as above.
  // Otherwise a row is computed `segment` output pixels at a time (whole
  // register tiles; the last segment computes past the row's end into
  // zero padding): the segment's accumulators stay in L1 while the loop
  // over input-channel blocks runs outermost, so each block's weights
  // serve the whole segment from L1 and its input is one sequential run.
  // A single output row streams the whole input once per channel block,
  // which the row tiles read as one short burst per channel block per
  // tile. The audio network's 512-channel convolution of 3199 samples,
  // stride 2, in blocks of 16, at one thread: 28-37 -> 55-67 GFLOPS
  // alone, 100-117 -> 36 ms in the model. Small outputs
  // (AccumulatesWholeOutput) already accumulate whole: always 0 there.
  // oc_group does not apply.
  int64_t segment = 0;
};

// Whether the direct convolution accumulates a channel block's whole output
// at once (at most 64 output pixels: 8 KB of L1 for a 32-channel block),
// looping over input-channel blocks outermost, instead of row by row.
bool AccumulatesWholeOutput(const Conv2dWorkload& w);

// Checks the workload makes sense (positive sizes, output not empty).
absl::Status ValidateConv2d(const Conv2dWorkload& w);

// Block sizes fixed from outside the kernel: inside a model, a conv's input
// block is the block its producer wrote and its output block is the one its
// consumers were compiled for, so tuning there searches the rest.
struct Conv2dBlocks {
  int64_t ic_bn = 0;
  int64_t oc_bn = 0;
};

// The tuning space for `w` on `target` (tile_ic and tile_oc have the single
// choice `fixed` gives when it is set), and translation of its points.
absl::StatusOr<tuning::ConfigSpace> Conv2dNCHWcSpace(const Conv2dWorkload& w,
                                                     const targets::Target& target,
                                                     const Conv2dBlocks* fixed = nullptr);
absl::StatusOr<Conv2dNCHWcConfig> Conv2dNCHWcConfigFrom(const tuning::Config& config);

// An analytical default from the target's vector width and register count:
// Winograd where it applies and pays, else the direct schedule below. With
// `fixed` blocks (a conv inside a model, whose blocks its neighbours set)
// the tiles and groups are chosen for those blocks.
Conv2dNCHWcConfig DefaultConv2dNCHWcConfig(const Conv2dWorkload& w,
                                           const targets::Target& target,
                                           const Conv2dBlocks* fixed = nullptr);
// The direct convolution's default (winograd_tile 0) for any workload.
Conv2dNCHWcConfig DefaultDirectConv2dNCHWcConfig(const Conv2dWorkload& w,
                                                 const targets::Target& target,
                                                 const Conv2dBlocks* fixed = nullptr);

// The default segment (Conv2dNCHWcConfig::segment) for output blocks of
// oc_bn channels: its accumulators fill a quarter of L1, leaving the rest
// to one input-channel block's weights and the input it reads.
int64_t SegmentPixels(const targets::Target& target, int64_t oc_bn);

// The blocks a conv takes inside a model: its input in `input_block`; from
// plain NCHW (0), blocks of one channel when there are fewer channels than
// a vector (an image's 3: NCHW1c is NCHW's bytes, so no transform runs),
// else the default's; its output in the default's block, unless its reader
// moves `output_groups` equal groups of output channels apart (the phases of
// a transposed convolution going to their pixels): then in blocks that
// divide a group, so that the reader can move whole blocks, if such a
// block fills at least half a vector.
Conv2dBlocks GraphConv2dBlocks(const Conv2dWorkload& w, const targets::Target& target,
                               int64_t input_block, int64_t output_groups = 1);

// Pieces both convolution kernels share.
//
// `data` [N, C/ib, H, W, ib] with w's zero padding in front, out to
// padded_h x padded_w; and its schedule, once per run, rows in parallel
// (channel blocks, for a single row).
Tensor ZeroPaddedNCHWc(const Tensor& data, const Conv2dWorkload& w, int64_t padded_h,
                       int64_t padded_w);
void ScheduleStagedInput(Stage& staged);
// post(relu(v + bias + residual)) at output index i (n, oc.chunk, oh, ow,
// oc.block) as `w` and the fused post ops ask: the epilogue every
// convolution fuses. Null tensors are absent operands.
Expr Conv2dEpilogue(const Conv2dWorkload& w, int64_t oc_bn, const Tensor& bias,
                    const Tensor& residual, const PostOps& post, const std::vector<Var>& i,
                    Expr v);

// The kernel: buffers data, kernel, [bias (oc)], [residual], the post ops'
// operands, output, in the blocked layouts above. Invalid configs are
// errors, not crashes.
absl::StatusOr<LoweredFunc> BuildConv2dNCHWc(const Conv2dWorkload& w,
                                             const Conv2dNCHWcConfig& config,
                                             const std::string& name,
                                             const PostOps& post = PostOps());

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_CONV2D_NCHWC_H_

// Transposed convolutions as ordinary convolutions, so that they run on the
// blocked, tuned and epilogue-fused convolution kernels instead of a kernel of
// their own.
//
// A transposed convolution with stride s scatters each input pixel through
// the kernel; gathered per output phase r (output row y with
// (y + pad) mod s == r) it is an ordinary correlation of the input with the
// kernel taps r, r + s, r + 2s, ... flipped. All s x s phases are computed
// by one convolution with s * s times the output channels (the taps of a
// phase that has fewer than ceil(k / s) are zero), and a depth_to_space
// interleave plus a crop put the phases back in place. Both keep the
// convolution's NCHW[x]c layout when its blocks divide the output channels. For kernel == stride
// (U-Net's 2x2 up-convolutions) no tap is wasted; a 3x3 kernel at stride 2
// computes 16 taps where 9 are needed.
#ifndef KILN_PASSES_CONV_TRANSPOSE_AS_CONV_H_
#define KILN_PASSES_CONV_TRANSPOSE_AS_CONV_H_

#include "absl/status/status.h"
#include "ir/graph/graph.h"

namespace kiln::passes {

// Rewrites every 2-D conv_transpose with constant float32 weights, one
// group and no dilation into conv -> depth_to_space -> slice (the
// interleave and the crop left out where they do nothing). Others
// stay for the conv_transpose kernel.
absl::Status ConvTransposeAsConv(graph::Graph& g);

}  // namespace kiln::passes

#endif  // KILN_PASSES_CONV_TRANSPOSE_AS_CONV_H_

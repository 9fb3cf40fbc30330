// Moves convolutions to the blocked NCHW[x]c layout and keeps activations
// there between layers.
//
// Each conv2d with group 1 becomes a conv2d_nchwc whose weights are packed
// now, at compile time, with the block sizes its schedule wants (from the
// tuning records or the target's default). Elementwise operators, pooling
// and spatial reductions run on blocked tensors as they are (per-channel
// constants are re-shaped to match), so layout_transform nodes appear only
// where an operator needs plain NCHW or at graph outputs. A convolution
// reads its input in the block its producer wrote (overriding the schedule's
// input block, which only affects how the channel reduction is blocked).
#ifndef KILN_PASSES_CONVERT_TO_NCHWC_H_
#define KILN_PASSES_CONVERT_TO_NCHWC_H_

#include <functional>

#include "absl/status/status.h"
#include "ir/graph/graph.h"
#include "ir/ops/conv2d_nchwc.h"

namespace kiln::passes {

// The schedule of a convolution, asked with the bare workload (no bias,
// activation or residual: those are fused later and do not change it) and
// the block its input arrives in (0: plain NCHW). The schedule should read
// the input in that block when it divides the channels.
using Conv2dConfigChooser = std::function<ir::ops::Conv2dNCHWcConfig(
    const ir::ops::Conv2dWorkload&, int64_t input_block)>;

absl::Status ConvertToNCHWc(graph::Graph& g, const Conv2dConfigChooser& choose);

}  // namespace kiln::passes

#endif  // KILN_PASSES_CONVERT_TO_NCHWC_H_

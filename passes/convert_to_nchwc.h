// Moves convolutions to the blocked NCHW[x]c layout and keeps activations
// there between layers.
//
// Each conv2d with group 1 becomes a conv2d_nchwc (or conv2d_winograd_nchwc)
// whose schedule the schedule context picks (tuning records, task
// extraction, or the target's default) and is stored on the node; its
// weights are packed now, at compile time, in the blocks of that schedule. Elementwise operators,
// pooling and spatial reductions run on blocked tensors as they are (per-channel constants are
// re-shaped to match), so layout_transform nodes appear only where an operator needs plain NCHW or
// at graph outputs. A convolution reads its input in the block its producer wrote: the task it asks
// the context about has that input block fixed.
#ifndef KILN_PASSES_CONVERT_TO_NCHWC_H_
#define KILN_PASSES_CONVERT_TO_NCHWC_H_

#include "absl/status/status.h"
#include "ir/graph/graph.h"
#include "ir/ops/conv2d_nchwc.h"
#include "ir/tuning/schedule_context.h"
#include "targets/target.h"

namespace kiln::passes {

// The workload of a 2-D conv node (conv or conv2d_nchwc) from its data's
// NCHW shape, its output channels and kernel size, and its attributes.
// Unimplemented for asymmetric padding, InvalidArgument when malformed.
absl::StatusOr<ir::ops::Conv2dWorkload> Conv2dWorkloadOf(const graph::Node& conv,
                                                         const std::vector<int64_t>& data_nchw,
                                                         int64_t out_channels, int64_t kernel_h,
                                                         int64_t kernel_w);

// The bare workload of a graph conv node, or an error when the node is not
// a 2-D, group-1 float convolution with constant weights and symmetric pads.
absl::StatusOr<ir::ops::Conv2dWorkload> BlockableConv2dWorkload(const graph::Graph& g,
                                                                const graph::Node& conv);

// The same with the data input's type given (its NCHW type, while the graph
// may already hold it blocked).
absl::StatusOr<ir::ops::Conv2dWorkload> BlockableConv2dWorkloadOfInput(
    const graph::Graph& g, const graph::Node& conv, const graph::TensorType& x);

// `schedules` may be null: the target's defaults.
absl::Status ConvertToNCHWc(graph::Graph& g, const targets::Target& target,
                            tuning::ScheduleContext* schedules);

}  // namespace kiln::passes

#endif  // KILN_PASSES_CONVERT_TO_NCHWC_H_

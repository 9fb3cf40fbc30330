// Moves convolutions to the blocked NCHW[x]c layout and keeps activations
// there between layers.
//
// Each conv2d with group 1 becomes a conv2d_nchwc (or conv2d_winograd_nchwc)
// whose schedule the schedule context picks (tuning records, task
// extraction, or the target's default) and is stored on the node; its
// weights are packed now, at compile time, in the blocks of that schedule.
// Elementwise operators, pooling and spatial reductions run on blocked
// tensors as they are (per-channel constants are re-shaped to match), and
// so do operators whose registry entry re-indexes them for blocks
// (OpDef::to_nchwc: concat along the channels, resize of H and W), so
// layout_transform nodes appear only where an operator needs plain NCHW or
// at graph outputs. A convolution reads its input in the block its producer
// wrote: the task it asks the context about has that input block fixed.
#ifndef KILN_PASSES_CONVERT_TO_NCHWC_H_
#define KILN_PASSES_CONVERT_TO_NCHWC_H_

#include "absl/status/status.h"
#include "ir/graph/graph.h"
#include "ir/ops/conv2d_nchwc.h"
#include "ir/tuning/schedule_context.h"
#include "targets/target.h"

namespace kiln::passes {

// `schedules` may be null: the target's defaults.
absl::Status ConvertToNCHWc(graph::Graph& g, const targets::Target& target,
                            tuning::ScheduleContext* schedules);

}  // namespace kiln::passes

#endif  // KILN_PASSES_CONVERT_TO_NCHWC_H_

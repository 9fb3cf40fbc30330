// Fully connected layers (Gemm, and MatMul by a constant matrix) become
// "dense" nodes whose weight is packed now, at compile time, to
// [N/bn, K, bn] so that bn output features are one vector load; bn and the
// row tile are the schedule the context picks for the dense template
// (tuning records, task extraction, or the target's default when null),
// stored on the node.
#ifndef KILN_PASSES_CONVERT_DENSE_H_
#define KILN_PASSES_CONVERT_DENSE_H_

#include "absl/status/status.h"
#include "ir/graph/graph.h"
#include "ir/tuning/schedule_context.h"
#include "targets/target.h"

namespace kiln::passes {

absl::Status ConvertDense(graph::Graph& g, const targets::Target& target,
                          tuning::ScheduleContext* schedules);

}  // namespace kiln::passes

#endif  // KILN_PASSES_CONVERT_DENSE_H_

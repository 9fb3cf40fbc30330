// Matrix products left as "matmul" once the dense conversion has run (B
// computed at run time, as attention's Q x K^T and P x V) get the schedule
// the context picks for the batch_matmul template (tuning records, task
// extraction, or the target's default when null), stored on the node, where
// the matmul lowering decodes it.
#ifndef KILN_PASSES_SCHEDULE_MATMUL_H_
#define KILN_PASSES_SCHEDULE_MATMUL_H_

#include "absl/status/status.h"
#include "ir/graph/graph.h"
#include "ir/tuning/schedule_context.h"
#include "targets/target.h"

namespace kiln::passes {

absl::Status ScheduleMatmul(graph::Graph& g, const targets::Target& target,
                            tuning::ScheduleContext* schedules);

}  // namespace kiln::passes

#endif  // KILN_PASSES_SCHEDULE_MATMUL_H_

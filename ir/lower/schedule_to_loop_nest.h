// The first lowering step: from a schedule to a loop nest over flat buffers.
//
// It inlines compute_inline stages, infers the region of every compute_at
// stage from what its consumer reads inside the attach loop, builds each
// stage's loops in leaf-axis order (reductions get an init nest before the
// first reduction loop), guards iterations that non-dividing splits add, and
// turns tensor reads into loads of flat, row-major buffers.
#ifndef KILN_IR_LOWER_SCHEDULE_TO_LOOP_NEST_H_
#define KILN_IR_LOWER_SCHEDULE_TO_LOOP_NEST_H_

#include <vector>

#include "absl/status/statusor.h"
#include "ir/schedule.h"
#include "ir/stmt.h"

namespace kiln::ir {

// `args` lists the placeholders and outputs that become the function's
// buffers, in order. Fills `buffers` with their kGlobal buffers.
absl::StatusOr<Stmt> ScheduleToLoopNest(const Schedule& schedule,
                                        const std::vector<Tensor>& args,
                                        std::vector<Buffer>* buffers);

}  // namespace kiln::ir

#endif  // KILN_IR_LOWER_SCHEDULE_TO_LOOP_NEST_H_

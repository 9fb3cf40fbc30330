// The schedule of simple data-parallel operators (elementwise, data
// movement): every axis but the last fused into rows run in parallel, the
// last axis in vectors (with a predicated tail when it does not divide).
#ifndef KILN_IR_OPS_DEFAULT_SCHEDULE_H_
#define KILN_IR_OPS_DEFAULT_SCHEDULE_H_

#include <cstdint>

#include "ir/schedule.h"

namespace kiln::ir::ops {

void ScheduleRowsAndVectors(Stage& stage, int64_t lanes);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_DEFAULT_SCHEDULE_H_

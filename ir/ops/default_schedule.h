// The schedule of simple data-parallel operators (elementwise, data
// movement): every axis but the last fused into rows run in parallel, the
// last axis in vectors (with a predicated tail when it does not divide).
#ifndef KILN_IR_OPS_DEFAULT_SCHEDULE_H_
#define KILN_IR_OPS_DEFAULT_SCHEDULE_H_

#include <cstdint>

#include "ir/schedule.h"

namespace kiln::ir::ops {

// Tensors of rank 5 are blocked images [N, C/b, H, W, b]: they get
// ScheduleImageRows and vectors of b.
void ScheduleRowsAndVectors(Stage& stage, int64_t lanes);

// A blocked image [N, C/b, H, W, b] in parallel over image rows, every
// channel block of a row in one task. Every kernel of a model splits its
// output this way (or keeps rows outermost in its own split), so with the
// thread pool's fixed shares a thread reads the rows it wrote before from
// its own core's cache; reading another core's writes costs 2-3x.
void ScheduleImageRows(Stage& stage);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_DEFAULT_SCHEDULE_H_

#include "ir/ops/default_schedule.h"

namespace kiln::ir::ops {

void ScheduleRowsAndVectors(Stage& stage, int64_t lanes) {
  const size_t rank = stage.root_axes().size();
  if (rank == 5) {
    ScheduleImageRows(stage);
    stage.Vectorize(stage.axis(4));
    return;
  }
  Axis rows = stage.axis(0);
  for (size_t d = 1; d + 1 < rank; ++d) rows = stage.Fuse(rows, stage.axis(d));
  auto [vo, vi] = stage.Split(stage.axis(rank - 1), lanes);
  stage.Vectorize(vi);
  // A 1-D tensor has no rows: its vectors are the parallel work.
  stage.Parallel(rank > 1 ? rows : vo);
}

void ScheduleImageRows(Stage& stage) {
  stage.Reorder({stage.axis(0), stage.axis(2), stage.axis(1), stage.axis(3), stage.axis(4)});
  stage.Parallel(stage.Fuse(stage.axis(0), stage.axis(2)));
}

}  // namespace kiln::ir::ops

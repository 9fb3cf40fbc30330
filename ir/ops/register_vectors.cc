#include "ir/ops/register_vectors.h"

namespace kiln::ir::ops {

void VectorizeAsRegisters(Stage& stage, const Axis& axis, int64_t extent, int64_t lanes) {
  if (lanes < 1 || extent <= lanes || extent % lanes != 0) {
    stage.Vectorize(axis);
    return;
  }
  auto [registers, register_lanes] = stage.Split(axis, lanes);
  stage.Unroll(registers);
  stage.Vectorize(register_lanes);
}

}  // namespace kiln::ir::ops

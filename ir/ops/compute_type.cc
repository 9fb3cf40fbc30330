#include "ir/ops/compute_type.h"

namespace kiln::ir::ops {

DataType ComputeType(DataType t) {
  if (t.is_half_float()) return DataType::Float32(t.lanes());
  if (t.is_bool()) return DataType::UInt8(t.lanes());
  return t;
}

Expr ToComputeType(Expr v) { return Cast(ComputeType(v.dtype()), v); }

Expr FromComputeType(Expr v, DataType elem) { return Cast(elem.with_lanes(v.dtype().lanes()), v); }

}  // namespace kiln::ir::ops

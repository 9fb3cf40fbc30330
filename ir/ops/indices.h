// Indices that kernels read from tensors (gather, scatter): ONNX counts a
// negative index from the end of its axis, and the reference refuses one
// still outside it. A kernel cannot refuse at run time, so a read clamps
// such an index into the axis and a write skips it: no kernel reads or
// writes outside its buffers, whatever the indices hold.
#ifndef KILN_IR_OPS_INDICES_H_
#define KILN_IR_OPS_INDICES_H_

#include <cstdint>

#include "absl/status/status.h"
#include "ir/data_type.h"
#include "ir/expr.h"

namespace kiln::ir::ops {

// InvalidArgument unless `t` is an integer type (what index tensors hold).
absl::Status CheckIndexType(DataType t);

// `i` (int64) clamped into [0, extent).
Expr ClampIndex(Expr i, int64_t extent);

// An index of any integer type as int64, a negative one counted from the end
// of an axis of `extent`; it may still lie outside the axis.
Expr WrapIndex(Expr index, int64_t extent);

// The wrapped index clamped into the axis: for reads.
Expr AxisIndex(Expr index, int64_t extent);

// Whether a wrapped index (int64) lies inside an axis of `extent`: writes
// skip those that do not.
Expr InAxis(Expr wrapped, int64_t extent);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_INDICES_H_

// The type a kernel computes on for elements of a given type. float16 and
// bfloat16 only store (the IR has no arithmetic on them) and bool has no
// arithmetic and no order, so kernels that combine or compare elements
// widen them first and narrow the result, as the references do when they
// store a double.
#ifndef KILN_IR_OPS_COMPUTE_TYPE_H_
#define KILN_IR_OPS_COMPUTE_TYPE_H_

#include "ir/data_type.h"
#include "ir/expr.h"

namespace kiln::ir::ops {

// float32 for the half floats (exact for their values, and one float32
// operation rounded to half is the double one rounded), uint8 for bool
// (false < true; add and mul give 0 or non-zero), `t` itself otherwise.
DataType ComputeType(DataType t);

// `v` of an element type in its compute type, and a compute-type result
// back as element type `elem` (bool: non-zero is true; half floats round to
// nearest even).
Expr ToComputeType(Expr v);
Expr FromComputeType(Expr v, DataType elem);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_COMPUTE_TYPE_H_

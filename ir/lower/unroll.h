// Replaces loops annotated kUnrolled (with a constant extent) by copies of
// their body, one per iteration, with the loop variable substituted. After
// simplification every index in a copy is a constant offset, which is what
// lets LLVM keep small accumulator arrays in registers.
#ifndef KILN_IR_LOWER_UNROLL_H_
#define KILN_IR_LOWER_UNROLL_H_

#include "ir/stmt.h"

namespace kiln::ir {

Stmt UnrollLoops(const Stmt& s);

}  // namespace kiln::ir

#endif  // KILN_IR_LOWER_UNROLL_H_

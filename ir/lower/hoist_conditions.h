// Moves conditions out of the loops they do not depend on.
//
// A reduction whose condition depends on outer loops only (a convolution
// tap that reads padding for the whole output row) lowers to a test in its
// innermost loop; hoisted to the loop whose variable it reads, the test runs
// once per tap row and skips the loops inside, instead of being evaluated
// (or masked, once vectorized) at every multiply-add.
#ifndef KILN_IR_LOWER_HOIST_CONDITIONS_H_
#define KILN_IR_LOWER_HOIST_CONDITIONS_H_

#include "ir/stmt.h"

namespace kiln::ir {

// `for v { if (a && b) S }` becomes `if (a) for v { if (b) S }` for the
// conjuncts `a` that neither read v nor load memory; nested ifs without an
// else count as one conjunction. Prefetches at the start of the loop body
// stay inside the hoisted test: they are hints, and skipped iterations need
// none.
Stmt HoistConditions(const Stmt& s);

}  // namespace kiln::ir

#endif  // KILN_IR_LOWER_HOIST_CONDITIONS_H_

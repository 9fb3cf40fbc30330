// Turns loops annotated kVectorized into vector code: the loop variable
// becomes ramp(min, 1, lanes), loads and stores indexed by it become vector
// accesses, and conditions that depend on it become lane predicates (which is
// how tails of non-dividing splits are handled). A loop whose body cannot be
// expressed that way (a store to a location shared by all lanes, an
// allocation, a loop bound that depends on the lane) stays a serial loop.
#ifndef KILN_IR_LOWER_VECTORIZE_H_
#define KILN_IR_LOWER_VECTORIZE_H_

#include "ir/stmt.h"

namespace kiln::ir {

Stmt VectorizeLoops(const Stmt& s);

}  // namespace kiln::ir

#endif  // KILN_IR_LOWER_VECTORIZE_H_

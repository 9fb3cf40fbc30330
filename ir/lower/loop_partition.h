// Splits off the last iteration of loops whose body is guarded by a
// condition that only that iteration can fail (the guards non-dividing
// splits add), so the main loop runs guard-free code and only the tail pays
// for the checks.
#ifndef KILN_IR_LOWER_LOOP_PARTITION_H_
#define KILN_IR_LOWER_LOOP_PARTITION_H_

#include "ir/stmt.h"

namespace kiln::ir {

Stmt PartitionLoops(const Stmt& s);

}  // namespace kiln::ir

#endif  // KILN_IR_LOWER_LOOP_PARTITION_H_

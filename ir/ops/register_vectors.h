// Vectorizing an axis that spans several machine registers.
#ifndef KILN_IR_OPS_REGISTER_VECTORS_H_
#define KILN_IR_OPS_REGISTER_VECTORS_H_

#include <cstdint>

#include "ir/schedule.h"

namespace kiln::ir::ops {

// Vectorizes `axis` of `stage`, `extent` elements long, as vectors of
// `lanes` (one register): an axis of several registers becomes an unrolled
// loop of register-wide vectors. LLVM widens a vector of a non-power-of-two
// register count to the next power of two and shuffles it back: a dense
// tile of 4 rows x 24 lanes on AVX2 ran at 4 GFLOPS as one 24-lane vector
// and at 50 as three 8-lane ones.
void VectorizeAsRegisters(Stage& stage, const Axis& axis, int64_t extent, int64_t lanes);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_REGISTER_VECTORS_H_

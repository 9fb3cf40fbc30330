// A reference executor for lowered functions: slow, simple, and strict.
//
// It is the oracle that lowering passes and codegen are tested against, and it
// doubles as a checker: an access outside a buffer with a constant shape is
// reported as an error naming the buffer and the index, instead of reading
// garbage.
#ifndef KILN_IR_INTERPRETER_H_
#define KILN_IR_INTERPRETER_H_

#include <vector>

#include "absl/status/status.h"
#include "ir/stmt.h"

namespace kiln::ir {

// Runs `f` on the buffers at args[i] (one per f.args, elements as in memory:
// float, int32_t, int64_t, or one byte per bool). Parallel, vectorized and
// unrolled loops run serially.
absl::Status Interpret(const LoweredFunc& f, const std::vector<void*>& args);

}  // namespace kiln::ir

#endif  // KILN_IR_INTERPRETER_H_

// How much memory a model may claim for one tensor. A model file is
// untrusted: its declared shapes (inputs, initializers, Reshape/Expand/
// ConstantOfShape/Tile targets) could ask for terabytes, which must be an
// error before anything is allocated, not an out-of-memory kill later.
#ifndef KILN_FRONTEND_MEMORY_BUDGET_H_
#define KILN_FRONTEND_MEMORY_BUDGET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/dtype.h"
#include "runtime/machine_memory.h"

namespace kiln::frontend {

// This machine's physical memory: no one tensor larger than it can work.
using runtime::MachineMemoryBytes;

// The bytes a tensor of `shape` and `dtype` takes; InvalidArgument naming
// `what` when the size overflows, a dimension is negative, or it is over
// `budget` (the error says how to raise it: kiln's --memory_budget).
absl::StatusOr<int64_t> CheckTensorBytes(const std::string& what,
                                         const std::vector<int64_t>& shape,
                                         runtime::DType dtype, int64_t budget);

}  // namespace kiln::frontend

#endif  // KILN_FRONTEND_MEMORY_BUDGET_H_

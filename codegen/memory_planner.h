// Static memory planning: places every intermediate tensor at an offset in
// one arena so that tensors whose lifetimes overlap never share bytes and
// the arena stays small. Lifetimes are step ranges, inclusive: a kernel's
// output never overlaps its inputs because both are live at that step.
#ifndef KILN_CODEGEN_MEMORY_PLANNER_H_
#define KILN_CODEGEN_MEMORY_PLANNER_H_

#include <cstdint>
#include <vector>

namespace kiln::codegen {

struct BufferLifetime {
  int64_t bytes = 0;
  int first_step = 0;
  int last_step = 0;
};

struct MemoryPlan {
  std::vector<int64_t> offsets;  // per buffer, multiples of the alignment
  int64_t arena_bytes = 0;
};

// Greedy by size, largest first, each at the lowest offset that fits
// between the already placed buffers it is live with.
MemoryPlan PlanMemory(const std::vector<BufferLifetime>& buffers, int64_t alignment = 64);

}  // namespace kiln::codegen

#endif  // KILN_CODEGEN_MEMORY_PLANNER_H_

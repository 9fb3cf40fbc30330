// 64-byte aligned heap memory: one cache line, and the widest vector load
// (AVX-512) never straddles two lines. Tensors and kernel workspaces use it.
#ifndef KILN_RUNTIME_ALIGNED_MEMORY_H_
#define KILN_RUNTIME_ALIGNED_MEMORY_H_

#include <cstdint>

namespace kiln::runtime {

inline constexpr int64_t kAllocAlignment = 64;

// At least `nbytes` (rounded up to a whole number of alignment units, and at
// least one unit so that empty tensors still have a distinct address).
// Null only when the machine is out of memory.
void* AlignedAlloc(int64_t nbytes);
void AlignedFree(void* ptr);

}  // namespace kiln::runtime

#endif  // KILN_RUNTIME_ALIGNED_MEMORY_H_

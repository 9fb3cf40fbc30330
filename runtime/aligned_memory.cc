#include "runtime/aligned_memory.h"

#include <cstdlib>

namespace kiln::runtime {

void* AlignedAlloc(int64_t nbytes) {
  // aligned_alloc wants a size that is a multiple of the alignment.
  const int64_t units = nbytes <= 0 ? 1 : (nbytes + kAllocAlignment - 1) / kAllocAlignment;
  return std::aligned_alloc(kAllocAlignment, static_cast<size_t>(units * kAllocAlignment));
}

void AlignedFree(void* ptr) { std::free(ptr); }

}  // namespace kiln::runtime

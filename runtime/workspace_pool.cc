#include "runtime/workspace_pool.h"

#include <algorithm>
#include <cstdlib>

#include "runtime/aligned_memory.h"

namespace kiln::runtime {
namespace {

// Each block starts with one alignment unit that records its capacity, so
// Free needs no lookup and the caller's pointer stays 64-byte aligned.
constexpr int64_t kHeader = kAllocAlignment;
// Capacities are rounded to whole pages: requests that differ by a few bytes
// (one layer's padded input and the next one's) then share blocks.
constexpr int64_t kGranule = 4096;

int64_t& CapacityOf(void* user_ptr) {
  return *reinterpret_cast<int64_t*>(static_cast<char*>(user_ptr) - kHeader);
}

void ReleaseBlock(void* user_ptr) { AlignedFree(static_cast<char*>(user_ptr) - kHeader); }

}  // namespace

WorkspacePool::~WorkspacePool() {
  for (const Block& b : free_) ReleaseBlock(b.ptr);
}

void* WorkspacePool::Alloc(int64_t nbytes) {
  const int64_t need = std::max<int64_t>(nbytes, 1);
  // Best fit among cached blocks; one more than twice the request would
  // strand memory a larger request could use.
  auto best = free_.end();
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    if (it->capacity >= need && it->capacity <= 2 * need + kGranule &&
        (best == free_.end() || it->capacity < best->capacity)) {
      best = it;
    }
  }
  if (best != free_.end()) {
    void* ptr = best->ptr;
    cached_bytes_ -= best->capacity;
    *best = free_.back();
    free_.pop_back();
    return ptr;
  }
  const int64_t capacity = (need + kGranule - 1) / kGranule * kGranule;
  char* raw = static_cast<char*>(AlignedAlloc(kHeader + capacity));
  if (raw == nullptr) return nullptr;
  void* ptr = raw + kHeader;
  CapacityOf(ptr) = capacity;
  return ptr;
}

void WorkspacePool::Free(void* ptr) {
  if (ptr == nullptr) return;
  free_.push_back({ptr, CapacityOf(ptr)});
  cached_bytes_ += free_.back().capacity;
  while (static_cast<int>(free_.size()) > kMaxCachedBlocks || cached_bytes_ > kMaxCachedBytes) {
    auto largest = std::max_element(free_.begin(), free_.end(), [](const Block& a, const Block& b) {
      return a.capacity < b.capacity;
    });
    cached_bytes_ -= largest->capacity;
    ReleaseBlock(largest->ptr);
    *largest = free_.back();
    free_.pop_back();
  }
}

WorkspacePool& ThreadWorkspacePool() {
  thread_local WorkspacePool pool;
  return pool;
}

}  // namespace kiln::runtime

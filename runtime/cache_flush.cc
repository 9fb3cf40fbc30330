#include "runtime/cache_flush.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>

namespace kiln::runtime {
namespace {

constexpr size_t kCacheLine = 64;
constexpr size_t kMinFlushBytes = size_t{8} << 20;

}  // namespace

CacheFlusher::CacheFlusher(size_t bytes) : bytes_(std::max(bytes, kCacheLine)) {
  void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    // Without the mapping there is nothing to flush with: flushing is an
    // accuracy aid for timing, not a requirement, so degrade to no-op.
    bytes_ = 0;
    return;
  }
  buffer_ = static_cast<uint8_t*>(p);
  madvise(buffer_, bytes_, MADV_DONTFORK);
  madvise(buffer_, bytes_, MADV_HUGEPAGE);  // fewer TLB misses per flush
}

CacheFlusher::~CacheFlusher() {
  if (buffer_ != nullptr) munmap(buffer_, bytes_);
}

void CacheFlusher::Flush() {
  ++round_;
  // Volatile stores: the buffer is never read, so plain stores could be
  // dropped as dead.
  volatile uint8_t* data = buffer_;
  for (size_t i = 0; i < bytes_; i += kCacheLine) data[i] = round_;
}

size_t CacheFlusher::DefaultFlushBytes() {
  long largest = 0;
#ifdef _SC_LEVEL3_CACHE_SIZE
  largest = std::max(largest, sysconf(_SC_LEVEL3_CACHE_SIZE));
#endif
#ifdef _SC_LEVEL2_CACHE_SIZE
  largest = std::max(largest, sysconf(_SC_LEVEL2_CACHE_SIZE));
#endif
  return std::max(kMinFlushBytes, 2 * static_cast<size_t>(std::max(0L, largest)));
}

}  // namespace kiln::runtime

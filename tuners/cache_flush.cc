#include "tuners/cache_flush.h"

#include <unistd.h>

#include <algorithm>

namespace kiln::tuners {
namespace {

constexpr size_t kCacheLine = 64;
constexpr size_t kMinFlushBytes = size_t{8} << 20;

}  // namespace

CacheFlusher::CacheFlusher(size_t bytes)
    : buffer_(std::max(bytes, kCacheLine), 0) {}

void CacheFlusher::Flush() {
  ++round_;
  // Volatile stores: the buffer is never read, so plain stores could be
  // dropped as dead.
  volatile uint8_t* data = buffer_.data();
  for (size_t i = 0; i < buffer_.size(); i += kCacheLine) data[i] = round_;
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

}  // namespace kiln::tuners

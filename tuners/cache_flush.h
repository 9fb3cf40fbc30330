// Evicts the CPU caches by writing a buffer larger than them.
//
// AutoTVM's enable_cpu_cache_flush: a conv layer inside a network finds its
// weights and inputs cold, while the same kernel timed in a loop finds them
// hot; flushing between repeats times the realistic case.
#ifndef KILN_TUNERS_CACHE_FLUSH_H_
#define KILN_TUNERS_CACHE_FLUSH_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kiln::tuners {

class CacheFlusher {
 public:
  explicit CacheFlusher(size_t bytes = DefaultFlushBytes());

  // Writes one byte in every cache line of the buffer, which pushes every
  // line that was cached before out of all levels the buffer overflows.
  void Flush();

  size_t bytes() const { return buffer_.size(); }

  // Twice the largest data cache the C library reports (L3, else L2), at
  // least 8 MiB: caches are not strictly LRU, so writing exactly their size
  // leaves part of the old contents behind.
  static size_t DefaultFlushBytes();

 private:
  std::vector<uint8_t> buffer_;
  uint8_t round_ = 0;
};

}  // namespace kiln::tuners

#endif  // KILN_TUNERS_CACHE_FLUSH_H_

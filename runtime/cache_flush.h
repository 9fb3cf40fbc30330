// Evicts the CPU caches by writing a buffer larger than them.
//
// AutoTVM's enable_cpu_cache_flush: a conv layer inside a network finds its
// weights and inputs cold, while the same kernel timed in a loop finds them
// hot; flushing between repeats times the realistic case.
#ifndef KILN_RUNTIME_CACHE_FLUSH_H_
#define KILN_RUNTIME_CACHE_FLUSH_H_

#include <cstddef>
#include <cstdint>

namespace kiln::runtime {

class CacheFlusher {
 public:
  explicit CacheFlusher(size_t bytes = DefaultFlushBytes());
  ~CacheFlusher();
  CacheFlusher(const CacheFlusher&) = delete;
  CacheFlusher& operator=(const CacheFlusher&) = delete;

  // Writes one byte in every cache line of the buffer, which pushes every
  // line that was cached before out of all levels the buffer overflows.
  void Flush();

  size_t bytes() const { return bytes_; }

  // Twice the largest data cache the C library reports (L3, else L2), at
  // least 8 MiB: caches are not strictly LRU, so writing exactly their size
  // leaves part of the old contents behind.
  static size_t DefaultFlushBytes();

 private:
  // Mapped apart from the heap and left out of fork()ed children: tuning
  // runs each candidate first in a child, and a buffer shared copy-on-write
  // with it would make every page of the next flush fault in the parent.
  uint8_t* buffer_ = nullptr;
  size_t bytes_ = 0;
  uint8_t round_ = 0;
};

}  // namespace kiln::runtime

#endif  // KILN_RUNTIME_CACHE_FLUSH_H_

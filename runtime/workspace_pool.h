// Scratch memory for generated kernels that stays mapped between calls.
//
// Kernels allocate their staging buffers (padded inputs, Winograd transforms)
// on every call and free them on return. Through plain malloc, buffers above
// glibc's mmap threshold go back to the kernel on free and come back as fresh
// zero pages on the next call: thousands of page faults per ResNet-50 run,
// about a tenth of its time. A pool keeps freed blocks per thread and hands
// the best fitting one to the next request, as TVM's workspace pool does, so
// a model's steady state allocates nothing.
#ifndef KILN_RUNTIME_WORKSPACE_POOL_H_
#define KILN_RUNTIME_WORKSPACE_POOL_H_

#include <cstdint>
#include <vector>

namespace kiln::runtime {

class WorkspacePool {
 public:
  // Free blocks kept beyond these limits go back to the system, largest
  // first once the byte limit is hit; the limits bound what an unusual
  // model can pin, not what ResNet-sized models need (a few MB).
  static constexpr int kMaxCachedBlocks = 64;
  static constexpr int64_t kMaxCachedBytes = int64_t{1} << 30;

  WorkspacePool() = default;
  WorkspacePool(const WorkspacePool&) = delete;
  WorkspacePool& operator=(const WorkspacePool&) = delete;
  ~WorkspacePool();

  // 64-byte aligned memory for at least `nbytes`; null only when the machine
  // is out of memory.
  void* Alloc(int64_t nbytes);
  // Takes back a block from Alloc of any pool (any thread's).
  void Free(void* ptr);

  int num_cached_blocks() const { return static_cast<int>(free_.size()); }
  int64_t cached_bytes() const { return cached_bytes_; }

 private:
  struct Block {
    void* ptr;
    int64_t capacity;
  };
  std::vector<Block> free_;
  int64_t cached_bytes_ = 0;
};

// The calling thread's pool; blocks freed on another thread join that one's.
WorkspacePool& ThreadWorkspacePool();

}  // namespace kiln::runtime

#endif  // KILN_RUNTIME_WORKSPACE_POOL_H_

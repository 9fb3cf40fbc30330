// A persistent pool of worker threads for parallel loops in kernels.
//
// Dispatch is cheap because a launch is one atomic increment: idle workers
// spin for a short while on a generation counter before they sleep on a
// futex, so back-to-back kernels (a ResNet-50 inference launches ~100) find
// them awake. Threads take contiguous chunks of tasks from a shared counter
// (about eight per thread): consecutive tasks of a kernel share their
// weights or input rows, and a thread slowed down by anything else on its
// core (shared machines) hands its remaining chunks to the others instead
// of making the whole launch wait for it.
#ifndef KILN_RUNTIME_THREAD_POOL_H_
#define KILN_RUNTIME_THREAD_POOL_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace kiln::runtime {

class ThreadPool {
 public:
  // Runs task `task` of `num_tasks`; non-zero means failure.
  using TaskFn = int32_t (*)(int64_t task, int64_t num_tasks, void* closure);
  using TaskFunction = std::function<int32_t(int64_t task, int64_t num_tasks)>;

  static constexpr int kMaxThreads = 1024;

  // `num_threads` counts the calling thread, so 1 means "no workers".
  // Clamped to [1, kMaxThreads].
  explicit ThreadPool(int num_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Runs fn(t, num_tasks, closure) for every t in [0, num_tasks) and waits.
  // Each chunk runs its tasks in order on one thread. After a task fails no
  // thread starts another chunk; the result is 0, or the failure of the
  // lowest-numbered failing task among those that ran.
  // Called from inside a task (of any pool), the tasks run inline, serially.
  // Launches from different outside threads are serialized.
  int32_t ParallelFor(int64_t num_tasks, TaskFn fn, void* closure);
  int32_t ParallelFor(int64_t num_tasks, const TaskFunction& fn);

  // Threads (the caller included) a launch uses.
  int num_threads() const;

  // Replaces the workers; waits for a running launch to finish first.
  // InvalidArgument outside [1, kMaxThreads]; FailedPrecondition from inside
  // a task.
  absl::Status SetNumThreads(int num_threads);

 private:
  struct alignas(64) WorkerSlot {
    int32_t result = 0;
    int64_t failed_task = 0;  // when result != 0
  };

  void StartWorkers(int num_threads) ABSL_EXCLUSIVE_LOCKS_REQUIRED(launch_mu_);
  void StopWorkers() ABSL_EXCLUSIVE_LOCKS_REQUIRED(launch_mu_);
  void WorkerLoop(int index, uint32_t seen_generation);
  // Runs chunks of this launch on thread `index` until none are left (or a
  // task failed) and records the outcome in slots_[index].
  void RunChunks(int index);

  // Held by the launching thread for a whole launch.
  absl::Mutex launch_mu_;
  std::vector<std::thread> workers_ ABSL_GUARDED_BY(launch_mu_);
  std::atomic<int> num_threads_{1};

  // The current launch, written by the launcher before it bumps generation_.
  TaskFn fn_ = nullptr;
  void* closure_ = nullptr;
  int64_t num_tasks_ = 0;
  int64_t chunk_size_ = 1;
  bool stop_ = false;
  std::unique_ptr<WorkerSlot[]> slots_;

  // Futex words (32-bit): the launch counter workers wait on, and the number
  // of workers that have not finished the current launch.
  alignas(64) std::atomic<uint32_t> generation_{0};
  std::atomic<int32_t> sleeping_workers_{0};
  alignas(64) std::atomic<uint32_t> pending_{0};
  std::atomic<int32_t> launcher_sleeping_{0};
  // The first task of the next chunk to hand out, and whether a task failed.
  alignas(64) std::atomic<int64_t> next_task_{0};
  std::atomic<bool> failed_{false};
};

// The process-wide pool kernels run on, created on first use with
// DefaultNumThreads() threads.
ThreadPool& GlobalThreadPool();

// KILN_NUM_THREADS if set to a valid count, else the CPUs this process may
// run on.
int DefaultNumThreads();

}  // namespace kiln::runtime

#endif  // KILN_RUNTIME_THREAD_POOL_H_

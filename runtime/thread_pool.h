// A persistent pool of worker threads for parallel loops in kernels.
//
// Dispatch is cheap because a launch is one atomic increment: idle workers
// spin for a short while on a generation counter before they sleep on a
// futex, so back-to-back kernels (a ResNet-50 inference launches ~100) find
// them awake. With more threads than the cores this process may use, no
// thread spins: a spinning thread would hold a core that a thread with work
// left needs, and every launch would wait for the scheduler to take it
// away. Each thread owns a fixed contiguous share of every launch's
// tasks: consecutive tasks of a kernel share their weights or input rows,
// and the same thread handles the same part of the image in every kernel, so
// activations stay in the cache of the core that produced them. A thread
// slowed down by anything else on its core (shared machines) has the rest
// of its share taken by the others instead of making the launch wait.
#ifndef KILN_RUNTIME_THREAD_POOL_H_
#define KILN_RUNTIME_THREAD_POOL_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
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
  // Thread i of T (the caller is thread 0) starts on the i-th contiguous
  // T-th of the tasks and runs them in order; a thread that finishes its
  // share takes the next tasks of the others' shares. Kernels parallelize
  // over image rows first, so a thread mostly reads the rows it wrote in the
  // previous kernel, from its own cache, instead of the other core's. After
  // a task fails no thread starts another; the result is 0, or the failure
  // of the lowest-numbered failing task among those that ran.
  // Called from inside a task (of any pool), the tasks run inline, serially.
  // Launches from different outside threads are serialized.
  // num_tasks above 2^32 - 1 run serially on the caller.
  int32_t ParallelFor(int64_t num_tasks, TaskFn fn, void* closure);
  int32_t ParallelFor(int64_t num_tasks, const TaskFunction& fn);

  // Threads (the caller included) a launch uses.
  int num_threads() const;

  // Replaces the workers; waits for a running launch to finish first.
  // InvalidArgument outside [1, kMaxThreads]; FailedPrecondition from inside
  // a task.
  absl::Status SetNumThreads(int num_threads);

 private:
  // Per thread: the untaken rest of its share of the current launch, as
  // [begin, end) packed in 32-bit halves so that its owner (from the front)
  // and other threads (from the back) take tasks with one compare-exchange,
  // and what the tasks this thread ran returned.
  struct alignas(64) WorkerSlot {
    std::atomic<uint64_t> share{0};
    int32_t result = 0;
    int64_t failed_task = 0;  // when result != 0
  };

  void StartWorkers(int num_threads) ABSL_EXCLUSIVE_LOCKS_REQUIRED(launch_mu_);
  void StopWorkers() ABSL_EXCLUSIVE_LOCKS_REQUIRED(launch_mu_);
  void WorkerLoop(int index, uint32_t seen_generation);
  // Runs tasks of this launch on thread `index`, its own share first, until
  // none are left (or a task failed); records the outcome in slots_[index].
  void RunTasks(int index);

  // Held by the launching thread for a whole launch.
  absl::Mutex launch_mu_;
  std::vector<std::thread> workers_ ABSL_GUARDED_BY(launch_mu_);
  std::atomic<int> num_threads_{1};
  // Whether waiting threads spin before they sleep, and how many tasks of
  // its share a thread keeps from the others (see RunTasks): both only when
  // every thread can have a core of its own.
  bool spin_ = true;

  // The current launch, written by the launcher before it bumps generation_.
  TaskFn fn_ = nullptr;
  void* closure_ = nullptr;
  int64_t num_tasks_ = 0;
  bool stop_ = false;
  std::unique_ptr<WorkerSlot[]> slots_;

  // Futex words (32-bit): the launch counter workers wait on, and the number
  // of workers that have not finished the current launch.
  alignas(64) std::atomic<uint32_t> generation_{0};
  std::atomic<int32_t> sleeping_workers_{0};
  alignas(64) std::atomic<uint32_t> pending_{0};
  std::atomic<int32_t> launcher_sleeping_{0};
  // Whether a task of the current launch failed.
  alignas(64) std::atomic<bool> failed_{false};
};

// The process-wide pool kernels run on, created on first use with
// DefaultNumThreads() threads.
ThreadPool& GlobalThreadPool();

// KILN_NUM_THREADS if set to a valid count (warned about when above
// AvailableCores()), else AvailableCores().
int DefaultNumThreads();

// The cores this process may use: the CPUs of its affinity mask, fewer when
// the CPU quota of its cgroup (or of a parent cgroup) allows less, rounded
// up (a quota of 1.5 CPUs is 2).
int AvailableCores();

// The CPU quota, in cores rounded up, that the cgroup file system mounted at
// `cgroup_root` sets for the process whose /proc/self/cgroup reads
// `proc_self_cgroup`: the tightest of its cgroup and their parents, from
// cpu.max (cgroup v2) or cpu.cfs_quota_us and cpu.cfs_period_us (v1, also
// under cpu/ and cpu,cpuacct/). None when nothing limits it.
std::optional<int> CgroupCpuQuota(const std::string& proc_self_cgroup,
                                  const std::string& cgroup_root);

}  // namespace kiln::runtime

#endif  // KILN_RUNTIME_THREAD_POOL_H_

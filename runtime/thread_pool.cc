#include "runtime/thread_pool.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "glog/logging.h"

namespace kiln::runtime {
namespace {

// Set on worker threads for good and on a launching thread while it runs
// its own chunk, so a nested launch knows it is already inside a task.
thread_local bool t_inside_task = false;

// Set in a child process forked from this one: fork copies only the calling
// thread, so the pool's workers do not exist there and every launch must run
// on the calling thread (a tuning measurement runs candidates in children).
std::atomic<bool> g_forked_child{false};

void MarkForkedChild() { g_forked_child.store(true); }

class ScopedInsideTask {
 public:
  ScopedInsideTask() : previous_(t_inside_task) { t_inside_task = true; }
  ~ScopedInsideTask() { t_inside_task = previous_; }

 private:
  const bool previous_;
};

// How long a waiting thread polls before it asks the kernel to sleep: long
// enough to bridge the serial gap between two kernels, short enough not to
// burn a core when the model is idle.
constexpr std::chrono::microseconds kSpinTime(100);

template <typename T>
long Futex(std::atomic<T>* word, int op, T value) {
  static_assert(sizeof(std::atomic<T>) == sizeof(uint32_t),
                "futex words are 32 bits");
  return syscall(SYS_futex, reinterpret_cast<uint32_t*>(word),
                 op | FUTEX_PRIVATE_FLAG, static_cast<uint32_t>(value),
                 nullptr, nullptr, 0);
}

template <typename T>
void FutexWait(std::atomic<T>* word, T expected) {
  Futex(word, FUTEX_WAIT, expected);
}

template <typename T>
void FutexWakeAll(std::atomic<T>* word) {
  Futex(word, FUTEX_WAKE, static_cast<T>(INT_MAX));
}

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Polls `done` for up to kSpinTime (once when `spin` is false); true if it
// came true. It yields now and then, so that a thread of another process
// waiting for this core runs instead of the spinning.
template <typename Predicate>
bool SpinUntil(bool spin, Predicate done) {
  if (!spin) return done();
  const auto deadline = std::chrono::steady_clock::now() + kSpinTime;
  for (uint32_t i = 1;; ++i) {
    if (done()) return true;
    CpuRelax();
    if (i % 64 == 0) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      sched_yield();
    }
  }
}

int32_t RunSerially(int64_t num_tasks, ThreadPool::TaskFn fn, void* closure) {
  ScopedInsideTask inside;
  for (int64_t t = 0; t < num_tasks; ++t) {
    if (int32_t result = fn(t, num_tasks, closure); result != 0) return result;
  }
  return 0;
}

constexpr int64_t kMaxShareTasks = UINT32_MAX;

uint64_t PackShare(int64_t begin, int64_t end) {
  return static_cast<uint64_t>(begin) | static_cast<uint64_t>(end) << 32;
}

// The owner's next chunk of its share: up to `chunk` tasks from the front.
std::optional<std::pair<int64_t, int64_t>> TakeFront(std::atomic<uint64_t>& share,
                                                     int64_t chunk) {
  uint64_t v = share.load(std::memory_order_relaxed);
  for (;;) {
    const int64_t begin = v & UINT32_MAX, end = v >> 32;
    if (begin >= end) return std::nullopt;
    const int64_t stop = std::min(begin + chunk, end);
    if (share.compare_exchange_weak(v, PackShare(stop, end), std::memory_order_relaxed)) {
      return std::make_pair(begin, stop);
    }
  }
}

// The last task of another thread's share, if more than `keep` are left:
// the owner keeps working through its front, in order, while an idle thread
// helps from the back only when the owner is well behind (descheduled on a
// shared machine), not when it merely started a moment later; taking its
// rows would move them, and every later kernel's reads of them, to the
// other core.
std::optional<int64_t> TakeBack(std::atomic<uint64_t>& share, int64_t keep) {
  uint64_t v = share.load(std::memory_order_relaxed);
  for (;;) {
    const int64_t begin = v & UINT32_MAX, end = v >> 32;
    if (end - begin <= keep) return std::nullopt;
    if (share.compare_exchange_weak(v, PackShare(begin, end - 1), std::memory_order_relaxed)) {
      return end - 1;
    }
  }
}

int32_t CallTaskFunction(int64_t task, int64_t num_tasks, void* closure) {
  return (*static_cast<const ThreadPool::TaskFunction*>(closure))(task,
                                                                  num_tasks);
}

}  // namespace

ThreadPool::ThreadPool(int num_threads) {
  absl::MutexLock lock(&launch_mu_);
  StartWorkers(std::clamp(num_threads, 1, kMaxThreads));
}

ThreadPool::~ThreadPool() {
  absl::MutexLock lock(&launch_mu_);
  StopWorkers();
}

int ThreadPool::num_threads() const {
  return num_threads_.load(std::memory_order_relaxed);
}

absl::Status ThreadPool::SetNumThreads(int num_threads) {
  if (num_threads < 1 || num_threads > kMaxThreads) {
    return absl::InvalidArgumentError(
        "thread count " + std::to_string(num_threads) + " is not in [1, " +
        std::to_string(kMaxThreads) + "]");
  }
  if (t_inside_task) {
    return absl::FailedPreconditionError(
        "cannot resize a thread pool from inside one of its tasks");
  }
  if (g_forked_child.load()) {
    return absl::FailedPreconditionError(
        "cannot resize a thread pool in a forked child; it runs tasks serially there");
  }
  absl::MutexLock lock(&launch_mu_);
  if (num_threads == this->num_threads()) return absl::OkStatus();
  StopWorkers();
  StartWorkers(num_threads);
  return absl::OkStatus();
}

void ThreadPool::StartWorkers(int num_threads) {
  static std::once_flag register_fork_handler;
  std::call_once(register_fork_handler, [] { pthread_atfork(nullptr, nullptr, MarkForkedChild); });
  slots_ = std::make_unique<WorkerSlot[]>(num_threads);
  spin_ = num_threads <= AvailableCores();
  const uint32_t generation = generation_.load(std::memory_order_relaxed);
  for (int index = 1; index < num_threads; ++index) {
    try {
      workers_.emplace_back([this, index, generation] {
        WorkerLoop(index, generation);
      });
    } catch (const std::system_error& e) {
      LOG(WARNING) << "could only start " << index << " of " << num_threads
                   << " threads: " << e.what();
      break;
    }
  }
  num_threads_.store(static_cast<int>(workers_.size()) + 1,
                     std::memory_order_relaxed);
}

void ThreadPool::StopWorkers() {
  stop_ = true;
  generation_.fetch_add(1);
  FutexWakeAll(&generation_);
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
  stop_ = false;
  num_threads_.store(1, std::memory_order_relaxed);
}

void ThreadPool::WorkerLoop(int index, uint32_t seen_generation) {
  t_inside_task = true;
  for (;;) {
    auto launched = [&] {
      return generation_.load(std::memory_order_acquire) != seen_generation;
    };
    if (!SpinUntil(spin_, launched)) {
      // The launcher wakes sleepers only if it sees this count non-zero after
      // bumping the generation; both sides use sequentially consistent
      // operations, so either it sees us or we see its new generation.
      sleeping_workers_.fetch_add(1);
      while (generation_.load() == seen_generation) {
        FutexWait(&generation_, seen_generation);
      }
      sleeping_workers_.fetch_sub(1);
    }
    // A launch waits for every worker, so the generation moved by exactly one.
    seen_generation = generation_.load(std::memory_order_acquire);
    if (stop_) return;
    RunTasks(index);
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1 &&
        launcher_sleeping_.load() != 0) {
      FutexWakeAll(&pending_);
    }
  }
}

void ThreadPool::RunTasks(int index) {
  const int num_slots = num_threads();
  WorkerSlot& mine = slots_[index];
  mine.result = 0;
  auto run = [&](int64_t t) {
    if (int32_t result = fn_(t, num_tasks_, closure_); result != 0) {
      mine.result = result;
      mine.failed_task = t;
      failed_.store(true, std::memory_order_relaxed);
      return false;
    }
    return true;
  };
  // A share is claimed in eighths: few atomic operations for kernels of
  // thousands of tiny tasks, and an eighth is what others may leave behind.
  const int64_t share_size = num_tasks_ / num_slots;
  const int64_t chunk = std::max<int64_t>(1, share_size / 8);
  while (!failed_.load(std::memory_order_relaxed)) {
    const auto range = TakeFront(mine.share, chunk);
    if (!range) break;
    for (int64_t t = range->first; t < range->second; ++t) {
      if (!run(t)) return;
    }
  }
  // Oversubscribed, an owner that has not started is waiting for a core,
  // not merely late: all but the first task of its share is taken (the
  // launch waits for it to wake anyway, and the first task keeps the split
  // of the image stable across kernels).
  const int64_t keep = spin_ ? chunk : 1;
  for (int k = 1; k < num_slots; ++k) {
    std::atomic<uint64_t>& share = slots_[(index + k) % num_slots].share;
    while (!failed_.load(std::memory_order_relaxed)) {
      const std::optional<int64_t> t = TakeBack(share, keep);
      if (!t) break;
      if (!run(*t)) return;
    }
  }
}

int32_t ThreadPool::ParallelFor(int64_t num_tasks, TaskFn fn, void* closure) {
  if (num_tasks <= 0) return 0;
  if (t_inside_task || num_tasks == 1 || num_tasks > kMaxShareTasks || num_threads() == 1 ||
      g_forked_child.load()) {
    return RunSerially(num_tasks, fn, closure);
  }
  absl::MutexLock lock(&launch_mu_);
  const int num_workers = static_cast<int>(workers_.size());
  if (num_workers == 0) return RunSerially(num_tasks, fn, closure);

  fn_ = fn;
  closure_ = closure;
  num_tasks_ = num_tasks;
  const int num_slots = num_workers + 1;
  for (int index = 0; index < num_slots; ++index) {
    slots_[index].share.store(PackShare(num_tasks * index / num_slots,
                                        num_tasks * (index + 1) / num_slots),
                              std::memory_order_relaxed);
  }
  failed_.store(false, std::memory_order_relaxed);
  pending_.store(num_workers, std::memory_order_relaxed);
  generation_.fetch_add(1);  // releases the fields above to the workers
  if (sleeping_workers_.load() > 0) FutexWakeAll(&generation_);

  {
    ScopedInsideTask inside;
    RunTasks(0);
  }

  auto all_done = [&] {
    return pending_.load(std::memory_order_acquire) == 0;
  };
  if (!SpinUntil(spin_, all_done)) {
    launcher_sleeping_.store(1);
    for (uint32_t left; (left = pending_.load()) != 0;) {
      FutexWait(&pending_, left);
    }
    launcher_sleeping_.store(0);
  }
  const WorkerSlot* first_failure = nullptr;
  for (int index = 0; index <= num_workers; ++index) {
    const WorkerSlot& slot = slots_[index];
    if (slot.result != 0 &&
        (first_failure == nullptr || slot.failed_task < first_failure->failed_task)) {
      first_failure = &slot;
    }
  }
  return first_failure == nullptr ? 0 : first_failure->result;
}

int32_t ThreadPool::ParallelFor(int64_t num_tasks, const TaskFunction& fn) {
  return ParallelFor(num_tasks, &CallTaskFunction,
                     const_cast<TaskFunction*>(&fn));
}

int DefaultNumThreads() {
  if (const char* env = std::getenv("KILN_NUM_THREADS"); env != nullptr) {
    int n = 0;
    if (absl::SimpleAtoi(env, &n) && n >= 1 && n <= ThreadPool::kMaxThreads) {
      if (const int cores = AvailableCores(); n > cores) {
        // Once: the pool and the native target both ask.
        static std::once_flag warned;
        std::call_once(warned, [&] {
          LOG(WARNING) << "warning: KILN_NUM_THREADS=" << n << " is more than the " << cores
                       << " cores this process may use; threads will take turns and kernels "
                          "run slower than with "
                       << cores;
        });
      }
      return n;
    }
    LOG(WARNING) << "ignoring KILN_NUM_THREADS=\"" << env
                 << "\": expected a thread count in [1, "
                 << ThreadPool::kMaxThreads << "]";
  }
  return std::clamp(AvailableCores(), 1, ThreadPool::kMaxThreads);
}

namespace {

std::optional<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The quota set in cgroup directory `dir`, in cores rounded up.
std::optional<int> QuotaOfDirectory(const std::string& dir) {
  int64_t quota = -1, period = 0;
  if (std::optional<std::string> max = ReadSmallFile(dir + "/cpu.max")) {
    // "max 100000" (unlimited) or "150000 100000".
    std::vector<absl::string_view> fields =
        absl::StrSplit(absl::StripAsciiWhitespace(*max), ' ', absl::SkipEmpty());
    if (fields.size() != 2 || !absl::SimpleAtoi(fields[0], &quota) ||
        !absl::SimpleAtoi(fields[1], &period)) {
      return std::nullopt;
    }
  } else {
    std::optional<std::string> q = ReadSmallFile(dir + "/cpu.cfs_quota_us");
    std::optional<std::string> p = ReadSmallFile(dir + "/cpu.cfs_period_us");
    if (!q || !p || !absl::SimpleAtoi(absl::StripAsciiWhitespace(*q), &quota) ||
        !absl::SimpleAtoi(absl::StripAsciiWhitespace(*p), &period)) {
      return std::nullopt;
    }
  }
  if (quota <= 0 || period <= 0) return std::nullopt;
  return static_cast<int>(std::min<int64_t>((quota + period - 1) / period, INT_MAX));
}

}  // namespace

std::optional<int> CgroupCpuQuota(const std::string& proc_self_cgroup,
                                  const std::string& cgroup_root) {
  std::optional<int> tightest;
  for (absl::string_view line : absl::StrSplit(proc_self_cgroup, '\n', absl::SkipEmpty())) {
    // "0::/user.slice/x" (v2) or "4:cpu,cpuacct:/docker/x" (v1).
    std::vector<absl::string_view> fields = absl::StrSplit(line, absl::MaxSplits(':', 2));
    if (fields.size() != 3) continue;
    std::vector<absl::string_view> controllers = absl::StrSplit(fields[1], ',');
    const bool v2 = fields[1].empty();
    if (!v2 && std::find(controllers.begin(), controllers.end(), "cpu") == controllers.end()) {
      continue;
    }
    const std::vector<std::string> mounts =
        v2 ? std::vector<std::string>{cgroup_root}
           : std::vector<std::string>{cgroup_root + "/cpu", cgroup_root + "/cpu,cpuacct",
                                      cgroup_root + "/" + std::string(fields[1])};
    for (const std::string& mount : mounts) {
      // A container sees its own cgroup at the mount's root even when the
      // path names the host's, so every ancestor is looked at.
      std::string path(absl::StripSuffix(fields[2], "/"));
      for (;;) {
        if (std::optional<int> quota = QuotaOfDirectory(mount + path)) {
          tightest = tightest ? std::min(*tightest, *quota) : *quota;
        }
        if (path.empty()) break;
        const size_t slash = path.rfind('/');
        path.resize(slash == std::string::npos ? 0 : slash);
      }
    }
  }
  return tightest;
}

int AvailableCores() {
  int cores = static_cast<int>(std::thread::hardware_concurrency());
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) cores = CPU_COUNT(&set);
  if (std::optional<std::string> cgroup = ReadSmallFile("/proc/self/cgroup")) {
    if (std::optional<int> quota = CgroupCpuQuota(*cgroup, "/sys/fs/cgroup")) {
      cores = std::min(cores, *quota);
    }
  }
  return std::max(cores, 1);
}

ThreadPool& GlobalThreadPool() {
  // Never destroyed: kernels may still run from other threads' static
  // destructors at exit.
  static ThreadPool* pool = new ThreadPool(DefaultNumThreads());
  return *pool;
}

}  // namespace kiln::runtime

// How the kernels' thread pool degrades with more threads than cores:
// back-to-back launches of a fixed amount of work (like a model's kernels)
// on 1 thread, on the available cores, and on several multiples of them.
// Prints the median time per launch and its ratio to one thread, measured
// in the same run. A thread count above the cores can never be faster than
// the cores; it should cost little more, not collapse.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "runtime/thread_pool.h"

namespace kiln::runtime {
namespace {

// ~20 us of arithmetic per task, 64 tasks per launch: a small kernel.
constexpr int kTasks = 64;
constexpr int kLaunches = 400;

double MedianLaunchMicros(ThreadPool& pool) {
  std::vector<double> sink(kTasks);
  std::vector<double> micros;
  for (int launch = 0; launch < kLaunches; ++launch) {
    const auto start = std::chrono::steady_clock::now();
    pool.ParallelFor(kTasks, [&](int64_t t, int64_t) {
      double x = t;
      for (int i = 0; i < 2000; ++i) x = std::sqrt(x + i);
      sink[t] = x;
      return 0;
    });
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::nth_element(micros.begin(), micros.begin() + micros.size() / 2, micros.end());
  return micros[micros.size() / 2];
}

int Main() {
  const int cores = AvailableCores();
  std::printf("available cores: %d; %d launches of %d tasks per thread count\n", cores,
              kLaunches, kTasks);
  std::printf("%8s %14s %12s\n", "threads", "median (us)", "vs 1 thread");
  double one = 0;
  for (int threads : {1, cores, cores + 1, 2 * cores, 8 * cores, 32 * cores}) {
    ThreadPool pool(threads);
    const double us = MedianLaunchMicros(pool);
    if (threads == 1) one = us;
    std::printf("%8d %14.1f %12.2f\n", threads, us, us / one);
  }
  return 0;
}

}  // namespace
}  // namespace kiln::runtime

int main() { return kiln::runtime::Main(); }

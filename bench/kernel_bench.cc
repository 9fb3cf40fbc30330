#include "bench/kernel_bench.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "bench/fma_peak.h"
#include "runtime/thread_pool.h"
#include "targets/target_parser.h"

namespace kiln::bench {

double MedianSeconds(codegen::KernelFunction kernel, void* const* args, int number) {
  kernel(args);
  std::vector<double> times;
  for (int r = 0; r < 7; ++r) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < number; ++i) kernel(args);
    times.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
        number);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

absl::StatusOr<KernelBench> StartKernelBench(const std::string& target, int threads) {
  auto parsed = targets::ParseTarget(target);
  if (!parsed.ok()) return parsed.status();
  if (auto st = runtime::GlobalThreadPool().SetNumThreads(threads); !st.ok()) return st;
  KernelBench bench{*std::move(parsed), MeasureFmaPeakGflops()};
  std::printf("target: %s, threads: %d\n", bench.target.ToString().c_str(), threads);
  std::printf("measured fp32 FMA peak, one core: %.1f GFLOPS\n\n", bench.peak_gflops);
  return bench;
}

}  // namespace kiln::bench

// What the kernel benchmarks share: how a kernel is timed, and the set-up
// and header every one of them starts with.
#ifndef KILN_BENCH_KERNEL_BENCH_H_
#define KILN_BENCH_KERNEL_BENCH_H_

#include <string>

#include "absl/status/statusor.h"
#include "codegen/jit.h"
#include "targets/target.h"

namespace kiln::bench {

// Median seconds per call over 7 repeats of `number` calls, after a warm-up.
double MedianSeconds(codegen::KernelFunction kernel, void* const* args, int number);

struct KernelBench {
  targets::Target target;
  double peak_gflops = 0;  // this CPU's measured one-core fp32 FMA peak
};

// Parses `target`, runs kernels on `threads` threads, measures the FMA peak
// and prints the lines that name them.
absl::StatusOr<KernelBench> StartKernelBench(const std::string& target, int threads);

}  // namespace kiln::bench

#endif  // KILN_BENCH_KERNEL_BENCH_H_

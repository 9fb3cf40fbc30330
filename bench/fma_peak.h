// Measures this CPU's single-core fp32 FMA throughput, the ceiling benchmark
// numbers are reported against.
#ifndef KILN_BENCH_FMA_PEAK_H_
#define KILN_BENCH_FMA_PEAK_H_

namespace kiln::bench {

// GFLOPS of a loop of independent vector FMAs (AVX-512 when the CPU has it,
// else AVX2), on the calling thread.
double MeasureFmaPeakGflops();

}  // namespace kiln::bench

#endif  // KILN_BENCH_FMA_PEAK_H_

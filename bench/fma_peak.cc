#include "bench/fma_peak.h"

#include <immintrin.h>

#include <algorithm>
#include <chrono>

#include "runtime/cpu_features.h"

namespace kiln::bench {
namespace {

constexpr int64_t kIters = 20'000'000;
// Twelve independent accumulators cover the FMA latency on both ports.
constexpr int kChains = 12;

double Gflops(int lanes, std::chrono::steady_clock::time_point start) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return 2.0 * lanes * kChains * kIters / seconds * 1e-9;
}

__attribute__((target("avx512f"))) double Run512() {
  __m512 a[kChains];
  for (auto& v : a) v = _mm512_setzero_ps();
  const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < kIters; ++i) {
#pragma GCC unroll 16
    for (auto& v : a) v = _mm512_fmadd_ps(v, x, y);
  }
  const double g = Gflops(16, start);
  volatile float sink = 0;
  float lanes[16];
  for (auto& v : a) {
    _mm512_storeu_ps(lanes, v);
    sink = sink + lanes[0];
  }
  return g;
}

__attribute__((target("avx2,fma"))) double Run256() {
  __m256 a[kChains];
  for (auto& v : a) v = _mm256_setzero_ps();
  const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < kIters; ++i) {
#pragma GCC unroll 16
    for (auto& v : a) v = _mm256_fmadd_ps(v, x, y);
  }
  const double g = Gflops(8, start);
  volatile float sink = 0;
  float lanes[8];
  for (auto& v : a) {
    _mm256_storeu_ps(lanes, v);
    sink = sink + lanes[0];
  }
  return g;
}

}  // namespace

double MeasureFmaPeakGflops() {
  double best = 0;
  for (int trial = 0; trial < 3; ++trial) {
    best = std::max(best, runtime::HostHasFeature("avx512f") ? Run512() : Run256());
  }
  return best;
}

}  // namespace kiln::bench

// Small integer helpers for choosing tile sizes.
#ifndef KILN_IR_OPS_DIVISORS_H_
#define KILN_IR_OPS_DIVISORS_H_

#include <algorithm>
#include <cstdint>

namespace kiln::ir::ops {

// The largest divisor of n that is at most limit (1 when none above 1 is).
inline int64_t LargestDivisorAtMost(int64_t n, int64_t limit) {
  for (int64_t d = std::min(n, limit); d > 1; --d) {
    if (n % d == 0) return d;
  }
  return 1;
}

// n / d rounded up, and n rounded up to a multiple of d (n >= 0, d >= 1).
inline int64_t CeilDiv(int64_t n, int64_t d) { return (n + d - 1) / d; }
inline int64_t RoundUp(int64_t n, int64_t d) { return CeilDiv(n, d) * d; }

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_DIVISORS_H_

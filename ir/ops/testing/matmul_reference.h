// The product of a MatmulWorkload by its definition, index by index, for
// tests of the matmul kernel and of its tunable template (float32 and
// float64 operands; accumulated in double).
#ifndef KILN_IR_OPS_TESTING_MATMUL_REFERENCE_H_
#define KILN_IR_OPS_TESTING_MATMUL_REFERENCE_H_

#include <cstdint>
#include <vector>

#include "ir/ops/dense.h"

namespace kiln::ir::ops::testing {

// Element counts of the operands a, b and c of `w`, as the kernel reads them.
inline int64_t MatmulASize(const MatmulWorkload& w) {
  int64_t n = w.m * w.k;
  for (int64_t e : w.a_batch) n *= e;
  return n;
}
inline int64_t MatmulBSize(const MatmulWorkload& w) {
  int64_t n = w.k * w.n;
  for (int64_t e : w.b_batch) n *= e;
  return n;
}
inline int64_t MatmulCSize(const MatmulWorkload& w) {
  int64_t n = 1;
  for (int64_t e : w.c_shape) n *= e;
  return n;
}

template <typename T>
std::vector<T> ReferenceMatmul(const MatmulWorkload& w, const std::vector<T>& a,
                               const std::vector<T>& b, const std::vector<T>& c) {
  const size_t rank = w.batch.size();
  int64_t batches = 1;
  for (int64_t e : w.batch) batches *= e;
  std::vector<T> out(batches * w.m * w.n);
  for (int64_t t = 0; t < batches; ++t) {
    // The flat batch offsets of A and B for output batch t.
    int64_t rest = t, a_off = 0, b_off = 0, a_stride = 1, b_stride = 1;
    for (size_t d = rank; d-- > 0;) {
      const int64_t i = rest % w.batch[d];
      rest /= w.batch[d];
      const size_t pa = rank - w.a_batch.size(), pb = rank - w.b_batch.size();
      const int64_t ea = d < pa ? 1 : w.a_batch[d - pa], eb = d < pb ? 1 : w.b_batch[d - pb];
      a_off += (ea == 1 ? 0 : i) * a_stride;
      b_off += (eb == 1 ? 0 : i) * b_stride;
      a_stride *= ea;
      b_stride *= eb;
    }
    for (int64_t i = 0; i < w.m; ++i)
      for (int64_t j = 0; j < w.n; ++j) {
        double acc = 0;
        for (int64_t q = 0; q < w.k; ++q) {
          const T x = a[a_off * w.m * w.k + (w.trans_a ? q * w.m + i : i * w.k + q)];
          const T y = b[b_off * w.k * w.n + (w.trans_b ? j * w.k + q : q * w.n + j)];
          acc += static_cast<double>(x) * y;
        }
        double v = w.alpha * acc;
        if (w.has_c) {
          const auto& cs = w.c_shape;
          const int64_t ci = cs.empty() ? 0
                             : cs.size() == 1
                                 ? (cs[0] == 1 ? 0 : j)
                                 : (cs[0] == 1 ? 0 : i) * cs[1] + (cs[1] == 1 ? 0 : j);
          v += w.beta * c[ci];
        }
        out[(t * w.m + i) * w.n + j] = static_cast<T>(v);
      }
  }
  return out;
}

}  // namespace kiln::ir::ops::testing

#endif  // KILN_IR_OPS_TESTING_MATMUL_REFERENCE_H_

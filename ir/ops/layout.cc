#include "ir/ops/layout.h"

namespace kiln::ir::ops {
namespace {

int64_t BlockedIndex(int64_t i, int64_t ch, int64_t y, int64_t z, int64_t c, int64_t h,
                     int64_t w, int64_t bn) {
  return (((i * (c / bn) + ch / bn) * h + y) * w + z) * bn + ch % bn;
}

}  // namespace

std::vector<float> PackNCHWc(const std::vector<float>& x, int64_t n, int64_t c, int64_t h,
                             int64_t w, int64_t bn) {
  std::vector<float> out(x.size());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t z = 0; z < w; ++z)
          out[BlockedIndex(i, ch, y, z, c, h, w, bn)] = x[((i * c + ch) * h + y) * w + z];
  return out;
}

std::vector<float> UnpackNCHWc(const std::vector<float>& x, int64_t n, int64_t c, int64_t h,
                               int64_t w, int64_t bn) {
  std::vector<float> out(x.size());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t z = 0; z < w; ++z)
          out[((i * c + ch) * h + y) * w + z] = x[BlockedIndex(i, ch, y, z, c, h, w, bn)];
  return out;
}

std::vector<float> PackOIHWio(const std::vector<float>& k, int64_t o, int64_t i, int64_t kh,
                              int64_t kw, int64_t ib, int64_t ob) {
  std::vector<float> out(k.size());
  const int64_t ic = i / ib;
  for (int64_t oo = 0; oo < o; ++oo)
    for (int64_t ii = 0; ii < i; ++ii)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x) {
          const int64_t dst =
              ((((oo / ob) * ic + ii / ib) * kh + y) * kw + x) * ib * ob + (ii % ib) * ob + oo % ob;
          out[dst] = k[((oo * i + ii) * kh + y) * kw + x];
        }
  return out;
}

}  // namespace kiln::ir::ops

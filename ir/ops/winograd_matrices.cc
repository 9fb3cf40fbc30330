#include "ir/ops/winograd_matrices.h"

#include "absl/strings/str_cat.h"

namespace kiln::ir::ops {

absl::StatusOr<WinogradMatrices> WinogradMatricesFor(int64_t m) {
  WinogradMatrices x;
  x.m = m;
  x.alpha = m + 2;
  if (m == 2) {  // interpolation points 0, 1, -1, infinity
    x.bt = {1, 0, -1, 0,  //
            0, 1, 1, 0,   //
            0, -1, 1, 0,  //
            0, 1, 0, -1};
    x.g = {1, 0, 0,  //
           0.5, 0.5, 0.5,  //
           0.5, -0.5, 0.5,  //
           0, 0, 1};
    x.at = {1, 1, 1, 0,  //
            0, 1, -1, -1};
    return x;
  }
  if (m == 4) {  // points 0, 1, -1, 2, -2, infinity
    x.bt = {4, 0, -5, 0, 1, 0,    //
            0, -4, -4, 1, 1, 0,   //
            0, 4, -4, -1, 1, 0,   //
            0, -2, -1, 2, 1, 0,   //
            0, 2, -1, -2, 1, 0,   //
            0, 4, 0, -5, 0, 1};
    x.g = {1.0 / 4, 0, 0,                  //
           -1.0 / 6, -1.0 / 6, -1.0 / 6,   //
           -1.0 / 6, 1.0 / 6, -1.0 / 6,    //
           1.0 / 24, 1.0 / 12, 1.0 / 6,    //
           1.0 / 24, -1.0 / 12, 1.0 / 6,   //
           0, 0, 1};
    x.at = {1, 1, 1, 1, 1, 0,   //
            0, 1, -1, 2, -2, 0,  //
            0, 1, 1, 4, 4, 0,    //
            0, 1, -1, 8, -8, 1};
    return x;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("Winograd tile ", m, " is not implemented (expected 2 or 4)"));
}

absl::StatusOr<std::vector<float>> TransformWinogradWeights(const std::vector<float>& oihw,
                                                            int64_t out_channels,
                                                            int64_t in_channels, int64_t m,
                                                            int64_t ic_bn, int64_t oc_bn) {
  auto mats = WinogradMatricesFor(m);
  if (!mats.ok()) return mats.status();
  const int64_t alpha = mats->alpha, ic = in_channels, oc = out_channels;
  if (ic < 1 || oc < 1 || ic_bn < 1 || oc_bn < 1 || ic % ic_bn != 0 || oc % oc_bn != 0 ||
      static_cast<int64_t>(oihw.size()) != oc * ic * 9) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Winograd weights need ", oc, "x", ic, "x3x3 values and blocks dividing the channels; "
        "got ", oihw.size(), " values with ic_bn=", ic_bn, ", oc_bn=", oc_bn));
  }
  const int64_t icc = ic / ic_bn, occ = oc / oc_bn;
  std::vector<float> u(alpha * alpha * oc * ic);
  for (int64_t o = 0; o < oc; ++o) {
    for (int64_t i = 0; i < ic; ++i) {
      const float* g = &oihw[(o * ic + i) * 9];
      double gg[6][3];  // G g
      for (int64_t a = 0; a < alpha; ++a)
        for (int64_t c = 0; c < 3; ++c) {
          gg[a][c] = 0;
          for (int64_t k = 0; k < 3; ++k) gg[a][c] += mats->g[a * 3 + k] * g[k * 3 + c];
        }
      for (int64_t a = 0; a < alpha; ++a)
        for (int64_t b = 0; b < alpha; ++b) {
          double v = 0;  // (G g G^T)[a][b]
          for (int64_t k = 0; k < 3; ++k) v += gg[a][k] * mats->g[b * 3 + k];
          const int64_t xi = a * alpha + b;
          u[((((xi * occ + o / oc_bn) * icc + i / ic_bn) * ic_bn + i % ic_bn) * oc_bn) +
            o % oc_bn] = static_cast<float>(v);
        }
    }
  }
  return u;
}

}  // namespace kiln::ir::ops

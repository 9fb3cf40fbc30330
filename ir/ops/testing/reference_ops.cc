#include "ir/ops/testing/reference_ops.h"

#include <algorithm>

namespace kiln::ir::ops::testing {

std::vector<float> ReferenceConv2d(const Conv2dWorkload& w, int64_t groups,
                                   const std::vector<float>& data,
                                   const std::vector<float>& weight,
                                   const std::vector<float>& bias,
                                   const std::vector<float>& residual) {
  const int64_t oh = w.out_height(), ow = w.out_width();
  const int64_t icg = w.in_channels / groups, ocg = w.out_channels / groups;
  std::vector<float> out(w.batch * w.out_channels * oh * ow);
  for (int64_t n = 0; n < w.batch; ++n)
    for (int64_t o = 0; o < w.out_channels; ++o)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t x = 0; x < ow; ++x) {
          double acc = 0;
          for (int64_t c = 0; c < icg; ++c)
            for (int64_t ky = 0; ky < w.kernel_h; ++ky)
              for (int64_t kx = 0; kx < w.kernel_w; ++kx) {
                const int64_t iy = y * w.stride_h + ky * w.dilation_h - w.pad_h;
                const int64_t ix = x * w.stride_w + kx * w.dilation_w - w.pad_w;
                if (iy < 0 || iy >= w.height || ix < 0 || ix >= w.width) continue;
                const int64_t ic = (o / ocg) * icg + c;
                acc += data[((n * w.in_channels + ic) * w.height + iy) * w.width + ix] *
                       weight[((o * icg + c) * w.kernel_h + ky) * w.kernel_w + kx];
              }
          const int64_t k = ((n * w.out_channels + o) * oh + y) * ow + x;
          float v = static_cast<float>(acc);
          if (w.bias) v += bias[o];
          if (w.residual) v += residual[k];
          if (w.activation == Activation::kRelu) v = std::max(v, 0.0f);
          out[k] = v;
        }
  return out;
}

}  // namespace kiln::ir::ops::testing

// Output sizes of sliding windows (convolution, pooling) and transposed
// windows along one axis: the formulas every operator, workload and lowering
// uses, so the graph's inferred shapes and the kernels' loop bounds cannot
// disagree.
#ifndef KILN_IR_OPS_WINDOW_H_
#define KILN_IR_OPS_WINDOW_H_

#include <cstdint>

namespace kiln::ir::ops {

// Windows of `kernel` taps `dilation` apart, every `stride` positions over
// `in` positions padded by `pad_begin` and `pad_end`. With `ceil_mode` a
// partial last window counts, unless it would start inside the end padding
// (as ONNX and PyTorch drop it). Zero or less when no window fits.
inline int64_t WindowOutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t dilation,
                                int64_t pad_begin, int64_t pad_end, bool ceil_mode) {
  const int64_t span = in + pad_begin + pad_end - dilation * (kernel - 1) - 1;
  int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad_begin) --out;
  return out;
}

// The transposed window (conv_transpose): each input position spreads over
// a kernel's span, `stride` apart, trimmed by the pads and extended by
// `output_padding` at the end.
inline int64_t TransposedWindowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                                          int64_t dilation, int64_t pad_begin, int64_t pad_end,
                                          int64_t output_padding) {
  return (in - 1) * stride + dilation * (kernel - 1) + 1 + output_padding - pad_begin - pad_end;
}

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_WINDOW_H_

// Convolutions outside the blocked fast path: plain NCHW conv2d with groups
// (depthwise included) and dilation, and conv2d_transpose. The graph uses
// them where blocking does not pay or does not apply.
#ifndef KILN_IR_OPS_CONV2D_NCHW_H_
#define KILN_IR_OPS_CONV2D_NCHW_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "ir/ops/conv2d_nchwc.h"
#include "ir/ops/window.h"
#include "ir/stmt.h"
#include "targets/target.h"

namespace kiln::ir::ops {

// Buffers: data [N, C, H, W], weight [OC, C/groups, KH, KW], [bias (OC)],
// out [N, OC, OH, OW]. Channels must divide by `groups`.
absl::StatusOr<LoweredFunc> BuildConv2dNCHW(const Conv2dWorkload& w, int64_t groups,
                                            const targets::Target& target,
                                            const std::string& name);

// The gradient-of-conv2d shaped upsampling convolution, NCHW, groups 1:
// data [N, C, H, W], weight [C, OC, KH, KW], out [N, OC, OH, OW] with
// OH = (H - 1) * stride - 2 * pad + dilation * (KH - 1) + 1 + output_padding.
struct Conv2dTransposeWorkload {
  int64_t batch = 1, in_channels = 0, height = 0, width = 0, out_channels = 0;
  int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0;
  int64_t output_pad_h = 0, output_pad_w = 0;
  int64_t out_height() const {
    return TransposedWindowOutputSize(height, kernel_h, stride_h, 1, pad_h, pad_h, output_pad_h);
  }
  int64_t out_width() const {
    return TransposedWindowOutputSize(width, kernel_w, stride_w, 1, pad_w, pad_w, output_pad_w);
  }
};
absl::StatusOr<LoweredFunc> BuildConv2dTranspose(const Conv2dTransposeWorkload& w,
                                                 const targets::Target& target,
                                                 const std::string& name);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_CONV2D_NCHW_H_

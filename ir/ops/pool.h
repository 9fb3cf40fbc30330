// Pooling over the spatial axes of NCHW[x]c tensors (NCHW is the case x = 1):
// max and average windows. Global pooling is a reduction (reduce.h).
#ifndef KILN_IR_OPS_POOL_H_
#define KILN_IR_OPS_POOL_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "ir/stmt.h"
#include "targets/target.h"

namespace kiln::ir::ops {

enum class PoolKind { kMax, kAverage };

struct Pool2dWorkload {
  PoolKind kind = PoolKind::kMax;
  int64_t batch = 1, channel_chunks = 1, height = 0, width = 0, block = 1;
  int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  bool ceil_mode = false;
  bool count_include_pad = false;  // average pooling only

  int64_t out_height() const;
  int64_t out_width() const;
};

// Buffers: data [N, C/x, H, W, x], out [N, C/x, OH, OW, x].
absl::StatusOr<LoweredFunc> BuildPool2d(const Pool2dWorkload& w, const targets::Target& target,
                                        const std::string& name);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_POOL_H_

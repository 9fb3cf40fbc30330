// Normalizations computed at run time, a row at a time:
//
//   layer_norm:    rows = the axes before `axis`, cols = the axes from it on;
//                  out[r, c] = (x[r, c] - mean[r]) * inv[r] * scale[c] + bias[c]
//   instance_norm: rows = (image, channel), cols = the spatial axes; scale and
//                  bias per channel (row % channels)
// with mean and inv = 1 / sqrt(variance + epsilon) over each row, the
// variance from the deviations (two passes over a row in cache, no
// cancellation). Row sums run in vector lanes, then across them.
//
//   batch_norm:    out[n, c, i] = (x - mean[c]) * scale[c] / sqrt(var[c] + epsilon)
//                  + bias[c], with all four computed at run time (constant
//                  ones are folded into convolutions or a multiply-add).
#ifndef KILN_IR_OPS_NORMALIZATION_H_
#define KILN_IR_OPS_NORMALIZATION_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "ir/stmt.h"
#include "targets/target.h"

namespace kiln::ir::ops {

struct RowNormWorkload {
  int64_t rows = 0, cols = 0;
  // 0: scale and bias have one value per column (or one value when
  // scale_size is 1); > 0: one per row % channels.
  int64_t channels = 0;
  int64_t scale_size = 0;  // 1 or the values per column / channel
  bool bias = false;
  int64_t bias_size = 0;
  bool stats = false;  // also outputs mean [rows] and inv [rows]
  double epsilon = 1e-5;
};

// Buffers: in [rows, cols], scale, [bias], out [rows, cols], [mean, inv].
absl::StatusOr<LoweredFunc> BuildRowNorm(const RowNormWorkload& w,
                                         const targets::Target& target,
                                         const std::string& name);

// Buffers: in [batch, channels, inner], scale, bias, mean, var (each
// [channels]), out.
absl::StatusOr<LoweredFunc> BuildBatchNorm(int64_t batch, int64_t channels, int64_t inner,
                                           double epsilon, const targets::Target& target,
                                           const std::string& name);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_NORMALIZATION_H_

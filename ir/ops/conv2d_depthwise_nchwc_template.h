// depthwise_conv2d_NCHWc as a tunable template: the workload with the block
// the model fixes as task args, a space of row tiles, the analytical
// default, the measuring harness, and the decoding of the config a
// depthwise_conv2d_nchwc node carries.
#ifndef KILN_IR_OPS_CONV2D_DEPTHWISE_NCHWC_TEMPLATE_H_
#define KILN_IR_OPS_CONV2D_DEPTHWISE_NCHWC_TEMPLATE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "ir/ops/conv2d_depthwise_nchwc.h"
#include "ir/tuning/json.h"
#include "targets/target.h"

namespace kiln::ir::ops {

inline constexpr char kDepthwiseTemplate[] = "depthwise_conv2d_NCHWc.x86";

// [batch, channels, height, width, kernel_h, kernel_w, stride_h, stride_w,
//  pad_h, pad_w, dilation_h, dilation_w, block] of a bare workload.
tuning::Json DepthwiseTaskArgs(const Conv2dWorkload& w, int64_t block);

// The schedule of a depthwise node in `block`: its stored schedule
// (tuning::kScheduleAttr) decoded in its task, or the default without one.
absl::StatusOr<DepthwiseConfig> DepthwiseScheduleOfNode(const std::optional<std::string>& schedule,
                                                        const Conv2dWorkload& w, int64_t block,
                                                        const targets::Target& target);

absl::StatusOr<DepthwiseConfig> DepthwiseConfigFrom(const tuning::Config& config);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_CONV2D_DEPTHWISE_NCHWC_TEMPLATE_H_

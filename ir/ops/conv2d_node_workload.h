// The Conv2dWorkload of a graph convolution node, shared by the layout pass
// that blocks convolutions and the lowerings that compile them.
#ifndef KILN_IR_OPS_CONV2D_NODE_WORKLOAD_H_
#define KILN_IR_OPS_CONV2D_NODE_WORKLOAD_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/graph/graph.h"
#include "ir/ops/conv2d_nchwc.h"

namespace kiln::ir::ops {

// The workload of a 2-D conv node (conv or conv2d_nchwc) from its data's
// NCHW shape, its output channels and kernel size, and its attributes.
// Unimplemented for asymmetric padding, InvalidArgument when malformed.
absl::StatusOr<Conv2dWorkload> Conv2dWorkloadOf(const graph::Node& conv,
                                                const std::vector<int64_t>& data_nchw,
                                                int64_t out_channels, int64_t kernel_h,
                                                int64_t kernel_w);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_CONV2D_NODE_WORKLOAD_H_

#include "ir/ops/conv2d_node_workload.h"

#include "absl/strings/str_cat.h"
#include "ir/graph/attrs_nn.h"

namespace kiln::ir::ops {

absl::StatusOr<Conv2dWorkload> Conv2dWorkloadOf(const graph::Node& conv,
                                                const std::vector<int64_t>& data_nchw,
                                                int64_t out_channels, int64_t kernel_h,
                                                int64_t kernel_w) {
  if (data_nchw.size() != 4) {
    return absl::InvalidArgumentError(absl::StrCat(conv.op, " ", conv.name,
                                                   ": expected 4-D NCHW data, got rank ",
                                                   data_nchw.size()));
  }
  auto a = graph::Conv2dAttrs::Read(conv);
  if (!a.ok()) return a.status();
  if (!a->symmetric_pads()) {
    return absl::UnimplementedError(
        absl::StrCat(conv.op, " ", conv.name, ": asymmetric padding is not supported"));
  }
  Conv2dWorkload w;
  w.batch = data_nchw[0];
  w.in_channels = data_nchw[1];
  w.height = data_nchw[2];
  w.width = data_nchw[3];
  w.out_channels = out_channels;
  w.kernel_h = kernel_h;
  w.kernel_w = kernel_w;
  w.stride_h = a->strides[0];
  w.stride_w = a->strides[1];
  w.pad_h = a->pads[0];
  w.pad_w = a->pads[1];
  w.dilation_h = a->dilations[0];
  w.dilation_w = a->dilations[1];
  return w;
}

}  // namespace kiln::ir::ops

// Lowering of the convolutions that stay in NCHW: conv (grouped, dilated,
// or not blocked) and conv_transpose.
#include "ir/graph/attrs_nn.h"
#include "ir/ops/conv2d_nchw.h"
#include "ir/ops/conv2d_node_workload.h"
#include "ir/ops/lowering_registry.h"

namespace kiln::ir::ops {
namespace {

absl::StatusOr<LoweredFunc> LowerConvNCHW(const graph::Node& n, const NodeShapes& s,
                                          const targets::Target& t, const std::string& name) {
  const auto& d = s.in[0];
  const auto& k = s.in[1];
  if (d.size() != 4) return NoKernel(n, "convolutions other than 2-D");
  auto attrs = graph::Conv2dAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  auto w = Conv2dWorkloadOf(n, d, k[0], k[2], k[3]);
  if (!w.ok()) return w.status();
  w->bias = s.in.size() > 2;
  return BuildConv2dNCHW(*w, attrs->group, t, name);
}

absl::StatusOr<LoweredFunc> LowerConvTranspose(const graph::Node& n, const NodeShapes& s,
                                               const targets::Target& t,
                                               const std::string& name) {
  auto a = graph::ConvTransposeAttrs::Read(n);
  if (!a.ok()) return a.status();
  if (a->group != 1 || a->dilations[0] != 1 || a->dilations[1] != 1 || s.in.size() > 2 ||
      a->pads[0] != a->pads[2] || a->pads[1] != a->pads[3]) {
    return NoKernel(n, "groups, dilation, bias or asymmetric padding");
  }
  Conv2dTransposeWorkload w;
  w.batch = s.in[0][0];
  w.in_channels = s.in[0][1];
  w.height = s.in[0][2];
  w.width = s.in[0][3];
  w.out_channels = s.in[1][1];
  w.kernel_h = s.in[1][2];
  w.kernel_w = s.in[1][3];
  w.stride_h = a->strides[0];
  w.stride_w = a->strides[1];
  w.pad_h = a->pads[0];
  w.pad_w = a->pads[1];
  w.output_pad_h = a->output_padding[0];
  w.output_pad_w = a->output_padding[1];
  return BuildConv2dTranspose(w, t, name);
}

KILN_REGISTER(LoweringRegistry(), "conv", "NCHW convolution with groups and dilation",
              LowerConvNCHW);
KILN_REGISTER(LoweringRegistry(), "conv_transpose", "NCHW transposed convolution",
              LowerConvTranspose);

}  // namespace
}  // namespace kiln::ir::ops

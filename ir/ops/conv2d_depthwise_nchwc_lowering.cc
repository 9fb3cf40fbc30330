// Lowering of depthwise_conv2d_nchwc: the block is its data's, the
// epilogue what the fusion pass put on the node, the schedule the config
// stored on it (decoded by the depthwise template).
#include <optional>
#include <string>

#include "ir/graph/attrs_nn.h"
#include "ir/ops/conv2d_depthwise_nchwc.h"
#include "ir/ops/conv2d_depthwise_nchwc_template.h"
#include "ir/ops/conv2d_node_workload.h"
#include "ir/ops/lowering_registry.h"
#include "ir/tuning/schedule_context.h"

namespace kiln::ir::ops {
namespace {

absl::StatusOr<LoweredFunc> LowerDepthwiseConv2dNCHWc(const graph::Node& n, const NodeShapes& s,
                                                      const targets::Target& t,
                                                      const std::string& name) {
  const auto& d = s.in[0];
  const auto& k = s.in[1];
  const int64_t channels = d[1] * d[4];
  auto w = Conv2dWorkloadOf(n, {d[0], channels, d[2], d[3]}, channels, k[1], k[2]);
  if (!w.ok()) return w.status();
  auto epilogue = graph::ConvEpilogueAttrs::Read(n);
  if (!epilogue.ok()) return epilogue.status();
  w->bias = n.inputs.size() > 2 && n.inputs[2] >= 0;
  w->residual = n.inputs.size() > 3 && n.inputs[3] >= 0;
  w->activation = Activation{epilogue->lo, epilogue->hi};
  auto schedule = n.String(tuning::kScheduleAttr, "");
  if (!schedule.ok()) return schedule.status();
  auto config = DepthwiseScheduleOfNode(
      schedule->empty() ? std::nullopt : std::optional<std::string>(*schedule), *w, d[4], t);
  if (!config.ok()) return config.status();
  auto post = PostOps::Of(n, s.in, s.out[0]);
  if (!post.ok()) return post.status();
  return BuildDepthwiseConv2dNCHWc(*w, d[4], *config, name, *post);
}

KILN_REGISTER(LoweringRegistry(), "depthwise_conv2d_nchwc",
              "depthwise convolution in NCHW[x]c, row tiles of channel vectors",
              LowerDepthwiseConv2dNCHWc);

}  // namespace
}  // namespace kiln::ir::ops

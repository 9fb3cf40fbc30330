// Lowering of conv2d_nchwc and conv2d_winograd_nchwc: the schedule is the
// config the layout pass stored on the node, decoded by the conv2d_NCHWc
// template.
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "ir/graph/attrs_nn.h"
#include "ir/ops/conv2d_nchwc.h"
#include "ir/ops/conv2d_nchwc_template.h"
#include "ir/ops/conv2d_node_workload.h"
#include "ir/ops/lowering_registry.h"
#include "ir/tuning/schedule_context.h"

namespace kiln::ir::ops {
namespace {

// conv2d_nchwc, or conv2d_winograd_nchwc whose weight is
// [alpha^2, OC/ob, C/ib, ib, ob] for a 3x3 kernel.
absl::StatusOr<LoweredFunc> LowerConv2dNCHWc(const graph::Node& n, const NodeShapes& s,
                                             const targets::Target& t, const std::string& name) {
  const auto& d = s.in[0];
  const auto& k = s.in[1];
  const bool winograd = n.op == "conv2d_winograd_nchwc";
  auto w = winograd ? Conv2dWorkloadOf(n, {d[0], d[1] * d[4], d[2], d[3]}, k[1] * k[4], 3, 3)
                    : Conv2dWorkloadOf(n, {d[0], d[1] * d[4], d[2], d[3]}, k[0] * k[5], k[2],
                                       k[3]);
  auto winograd_tile = n.Int("winograd_tile", 0);
  auto schedule = n.String(tuning::kScheduleAttr, "");
  auto epilogue = graph::ConvEpilogueAttrs::Read(n);
  if (!w.ok()) return w.status();
  if (!epilogue.ok()) return epilogue.status();
  if (!winograd_tile.ok() || !schedule.ok() || (winograd && *winograd_tile == 0)) {
    return absl::InvalidArgumentError(absl::StrCat(graph::NodeLabel(n), " is malformed"));
  }
  const Conv2dBlocks blocks{d[4], winograd ? k[4] : k[5]};
  auto c = Conv2dNCHWcScheduleOfNode(
      schedule->empty() ? std::nullopt : std::optional<std::string>(*schedule), *w, blocks, t);
  if (!c.ok()) return c.status();
  // The op, not the schedule, says which algorithm the weights were packed for.
  c->winograd_tile = winograd ? *winograd_tile : 0;
  w->bias = n.inputs.size() > 2 && n.inputs[2] >= 0;
  w->residual = n.inputs.size() > 3 && n.inputs[3] >= 0;
  w->activation = Activation{epilogue->lo, epilogue->hi};
  auto post = PostOps::Of(n, s.in, s.out[0]);
  if (!post.ok()) return post.status();
  return BuildConv2dNCHWc(*w, *c, name, *post);
}

KILN_REGISTER(LoweringRegistry(), "conv2d_nchwc", "register-blocked direct convolution",
              LowerConv2dNCHWc);
KILN_REGISTER(LoweringRegistry(), "conv2d_winograd_nchwc", "Winograd convolution",
              LowerConv2dNCHWc);

}  // namespace
}  // namespace kiln::ir::ops

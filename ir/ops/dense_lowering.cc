// Lowering of dense (weight packed by the dense conversion pass, schedule
// stored on the node and decoded by the dense_pack template) and matmul.
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "ir/ops/dense.h"
#include "ir/ops/dense_template.h"
#include "ir/ops/lowering_registry.h"
#include "ir/tuning/schedule_context.h"

namespace kiln::ir::ops {
namespace {

absl::StatusOr<LoweredFunc> LowerDense(const graph::Node& n, const NodeShapes& s,
                                       const targets::Target& t, const std::string& name) {
  DenseWorkload w;
  w.m = s.in[0][0];
  w.k = s.in[0][1];
  w.n = s.in[1][0] * s.in[1][2];
  auto schedule = n.String(tuning::kScheduleAttr, "");
  if (!schedule.ok()) return schedule.status();
  auto c = DenseScheduleOfNode(
      schedule->empty() ? std::nullopt : std::optional<std::string>(*schedule), w, t);
  if (!c.ok()) return c.status();
  if (c->n_bn != s.in[1][2]) {
    return absl::InvalidArgumentError(absl::StrCat(graph::NodeLabel(n), ": its schedule's tile_n ",
                                                   c->n_bn, " differs from its packed weight's ",
                                                   s.in[1][2]));
  }
  w.bias = s.in.size() > 2;
  return BuildDense(w, *c, name);
}

absl::StatusOr<LoweredFunc> LowerMatmul(const graph::Node& n, const NodeShapes& s,
                                        const targets::Target& t, const std::string& name) {
  const auto& a = s.in[0];
  const auto& b = s.in[1];
  BatchMatmulWorkload w;
  if (a.size() == 2 && b.size() == 2) {
    w = {1, a[0], b[1], a[1]};
  } else if (a.size() == 3 && b.size() == 3 && a[0] == b[0]) {
    w = {a[0], a[1], b[2], a[2]};
  } else {
    return NoKernel(n, "matmul with broadcast batch dimensions");
  }
  return BuildBatchMatmul(w, t, name);
}

KILN_REGISTER(LoweringRegistry(), "dense", "packed fully connected layer", LowerDense);
KILN_REGISTER(LoweringRegistry(), "matmul", "(batched) matrix product", LowerMatmul);

}  // namespace
}  // namespace kiln::ir::ops

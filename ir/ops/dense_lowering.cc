// Lowering of dense (weight packed by the dense conversion pass, schedule
// stored on the node and decoded by the dense_pack template) and matmul
// (schedule stored by the matmul scheduling pass, decoded by the
// batch_matmul template; the default when the node has none).
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "ir/graph/attrs_nn.h"
#include "ir/ops/batch_matmul_template.h"
#include "ir/ops/dense.h"
#include "ir/ops/dense_template.h"
#include "ir/ops/lowering_registry.h"
#include "ir/tuning/schedule_context.h"

namespace kiln::ir::ops {
namespace {

// The schedule the compiler stored on `n`, nullopt when it stored none.
absl::StatusOr<std::optional<std::string>> StoredSchedule(const graph::Node& n) {
  auto schedule = n.String(tuning::kScheduleAttr, "");
  if (!schedule.ok()) return schedule.status();
  if (schedule->empty()) return std::nullopt;
  return *schedule;
}

absl::StatusOr<LoweredFunc> LowerDense(const graph::Node& n, const NodeShapes& s,
                                       const targets::Target& t, const std::string& name) {
  DenseWorkload w;
  w.m = s.in[0][0];
  w.k = s.in[0][1];
  w.n = s.in[1][0] * s.in[1][2];
  auto schedule = StoredSchedule(n);
  if (!schedule.ok()) return schedule.status();
  auto c = DenseScheduleOfNode(*schedule, w, t);
  if (!c.ok()) return c.status();
  if (c->n_bn != s.in[1][2]) {
    return absl::InvalidArgumentError(absl::StrCat(graph::NodeLabel(n), ": its schedule's tile_n ",
                                                   c->n_bn, " differs from its packed weight's ",
                                                   s.in[1][2]));
  }
  w.bias = n.inputs.size() > 2 && n.inputs[2] >= 0;
  auto post = PostOps::Of(n, s.in, s.out[0]);
  if (!post.ok()) return post.status();
  return BuildDense(w, *c, t, name, *post);
}

absl::StatusOr<LoweredFunc> LowerMatmul(const graph::Node& n, const NodeShapes& s,
                                        const targets::Target& t, const std::string& name) {
  auto w = NumpyMatmulWorkload(s.in[0], s.in[1]);
  if (!w.ok()) return w.status();
  w->elem = s.in_types[0];
  auto schedule = StoredSchedule(n);
  if (!schedule.ok()) return schedule.status();
  auto c = BatchMatmulScheduleOfNode(*schedule, *w, t);
  if (!c.ok()) return c.status();
  return BuildMatmul(*w, t, name, *c);
}

// Gemm that the dense conversion left: B computed at run time, or a C that
// is no per-feature bias.
absl::StatusOr<LoweredFunc> LowerGemm(const graph::Node& n, const NodeShapes& s,
                                      const targets::Target& t, const std::string& name) {
  auto attrs = graph::GemmAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  const auto& a = s.in[0];
  const auto& b = s.in[1];
  if (a.size() != 2 || b.size() != 2) {
    return absl::InvalidArgumentError(absl::StrCat(graph::NodeLabel(n), ": gemm needs matrices"));
  }
  MatmulWorkload w;
  w.trans_a = attrs->trans_a;
  w.trans_b = attrs->trans_b;
  w.alpha = attrs->alpha;
  w.beta = attrs->beta;
  w.m = a[w.trans_a ? 1 : 0];
  w.k = a[w.trans_a ? 0 : 1];
  w.n = b[w.trans_b ? 0 : 1];
  if (s.in.size() > 2) {
    w.has_c = true;
    w.c_shape = s.in[2];
  }
  return BuildMatmul(w, t, name);
}

KILN_REGISTER(LoweringRegistry(), "dense", "packed fully connected layer", LowerDense);
KILN_REGISTER(LoweringRegistry(), "gemm", "alpha * A' B' + beta * C", LowerGemm);
KILN_REGISTER(LoweringRegistry(), "matmul", "numpy matmul, batch dimensions broadcast",
              Lowering(LowerMatmul, OneFloatType));

}  // namespace
}  // namespace kiln::ir::ops

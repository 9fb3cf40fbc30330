// Lowering of dense (weight packed by the dense conversion pass) and matmul.
#include "ir/ops/dense.h"
#include "ir/ops/lowering_registry.h"

namespace kiln::ir::ops {
namespace {

absl::StatusOr<LoweredFunc> LowerDense(const graph::Node& n, const NodeShapes& s,
                                       const targets::Target&, const std::string& name) {
  DenseWorkload w;
  w.m = s.in[0][0];
  w.k = s.in[0][1];
  w.n = s.in[1][0] * s.in[1][2];
  w.bias = s.in.size() > 2;
  DenseConfig c;
  c.n_bn = s.in[1][2];
  auto m_tile = n.Int("m_tile", 1);
  if (!m_tile.ok()) return m_tile.status();
  c.m_tile = *m_tile;
  return BuildDense(w, c, name);
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

// Lowering of softmax over the innermost axis (or the flattened axes from
// `axis` on).
#include "ir/graph/attrs_nn.h"
#include "ir/ops/lowering_registry.h"
#include "ir/ops/softmax.h"

namespace kiln::ir::ops {
namespace {

absl::StatusOr<LoweredFunc> LowerSoftmax(const graph::Node& n, const NodeShapes& s,
                                         const targets::Target& t, const std::string& name) {
  const auto& x = s.in[0];
  auto attrs = graph::SoftmaxAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  auto axis = attrs->Axis(x.size());
  if (!axis.ok()) return axis.status();
  const int64_t rank = static_cast<int64_t>(x.size());
  const int64_t a = *axis;
  if (a != rank - 1 && !attrs->flatten) return NoKernel(n, "softmax over an inner axis");
  int64_t rows = 1, cols = 1;
  for (int64_t d = 0; d < rank; ++d) (d < a ? rows : cols) *= x[d];
  return BuildSoftmax(rows, cols, t, name);
}

KILN_REGISTER(LoweringRegistry(), "softmax", "row-wise softmax", LowerSoftmax);

}  // namespace
}  // namespace kiln::ir::ops

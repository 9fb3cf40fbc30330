// Lowering of reduce_sum, reduce_mean, reduce_max and reduce_min.
#include "ir/graph/attrs_reduce.h"
#include "ir/ops/lowering_registry.h"
#include "ir/ops/reduce.h"

namespace kiln::ir::ops {
namespace {

absl::StatusOr<LoweredFunc> LowerReduce(const graph::Node& n, const NodeShapes& s,
                                        const targets::Target&, const std::string& name) {
  const auto& x = s.in[0];
  auto a = graph::ReduceAttrs::Read(n);
  if (!a.ok()) return a.status();
  auto reduced = a->Reduced(x.size());
  if (!reduced.ok()) return NoKernel(n, "this axis");
  const ReduceKind kind = n.op == "reduce_sum"    ? ReduceKind::kSum
                          : n.op == "reduce_mean" ? ReduceKind::kMean
                          : n.op == "reduce_min"  ? ReduceKind::kMin
                                                  : ReduceKind::kMax;
  return BuildReduce(x, *reduced, a->keepdims, kind, name);
}

KILN_REGISTER(LoweringRegistry(), "reduce_sum", "sum over axes", LowerReduce);
KILN_REGISTER(LoweringRegistry(), "reduce_mean", "mean over axes", LowerReduce);
KILN_REGISTER(LoweringRegistry(), "reduce_max", "max over axes", LowerReduce);
KILN_REGISTER(LoweringRegistry(), "reduce_min", "min over axes", LowerReduce);

}  // namespace
}  // namespace kiln::ir::ops

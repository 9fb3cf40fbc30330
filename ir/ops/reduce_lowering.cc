// Lowering of reduce_sum, reduce_mean, reduce_max and reduce_min.
#include "ir/graph/attrs_reduce.h"
#include "ir/ops/lowering_registry.h"
#include "ir/ops/reduce.h"

namespace kiln::ir::ops {
namespace {

absl::StatusOr<LoweredFunc> LowerReduce(ReduceKind kind, const graph::Node& n,
                                        const NodeShapes& s, const std::string& name) {
  const auto& x = s.in[0];
  auto a = graph::ReduceAttrs::Read(n);
  if (!a.ok()) return a.status();
  auto reduced = a->Reduced(x.size());
  if (!reduced.ok()) return NoKernel(n, "this axis");
  return BuildReduce(x, *reduced, a->keepdims, kind, name);
}

LowerFn ReduceOf(ReduceKind kind) {
  return [kind](const graph::Node& n, const NodeShapes& s, const targets::Target&,
                const std::string& name) { return LowerReduce(kind, n, s, name); };
}

KILN_REGISTER(LoweringRegistry(), "reduce_sum", "sum over axes", ReduceOf(ReduceKind::kSum));
KILN_REGISTER(LoweringRegistry(), "reduce_mean", "mean over axes", ReduceOf(ReduceKind::kMean));
KILN_REGISTER(LoweringRegistry(), "reduce_max", "max over axes", ReduceOf(ReduceKind::kMax));
KILN_REGISTER(LoweringRegistry(), "reduce_min", "min over axes", ReduceOf(ReduceKind::kMin));

}  // namespace
}  // namespace kiln::ir::ops

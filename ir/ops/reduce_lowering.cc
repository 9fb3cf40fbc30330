// Lowering of the reductions (reduce_sum, reduce_mean, reduce_l2, ...),
// argmax/argmin and cumsum.
#include "ir/graph/attrs_reduce.h"
#include "ir/ops/lowering_registry.h"
#include "ir/ops/reduce.h"

namespace kiln::ir::ops {
namespace {

absl::StatusOr<LoweredFunc> LowerReduce(ReduceKind kind, const graph::Node& n,
                                        const NodeShapes& s, const std::string& name) {
  const auto& x = s.in[0];
  // A reduction over an empty axis has a (non-empty) result of identities,
  // which the reference computes; the kernel needs elements to read.
  for (int64_t d : x) {
    if (d == 0) return NoKernel(n, "empty inputs");
  }
  auto a = graph::ReduceAttrs::Read(n);
  if (!a.ok()) return a.status();
  auto reduced = a->Reduced(x.size());
  if (!reduced.ok()) return NoKernel(n, "this axis");
  return BuildReduce(x, *reduced, a->keepdims, kind, name, s.in_types[0]);
}

absl::StatusOr<LoweredFunc> LowerCumSum(const graph::Node& n, const NodeShapes& s,
                                        const targets::Target&, const std::string& name) {
  auto a = graph::CumSumAttrs::Read(n);
  if (!a.ok()) return a.status();
  const int64_t rank = s.in[0].size();
  if (a->axis < -rank || a->axis >= rank) return NoKernel(n, "this axis");
  return BuildCumSum(s.in[0], a->axis < 0 ? a->axis + rank : a->axis, a->exclusive, a->reverse,
                     name, s.in_types[0]);
}

absl::StatusOr<LoweredFunc> LowerArgReduce(bool is_max, const graph::Node& n,
                                           const NodeShapes& s, const std::string& name) {
  auto a = graph::ArgReduceAttrs::Read(n);
  if (!a.ok()) return a.status();
  const int64_t rank = s.in[0].size();
  if (a->axis < -rank || a->axis >= rank) return NoKernel(n, "this axis");
  return BuildArgReduce(s.in[0], a->axis < 0 ? a->axis + rank : a->axis, a->keepdims, is_max,
                        a->select_last_index, name, s.in_types[0]);
}

// A float32, float64 or integer input; int64 indices out.
Lowering ArgReduceOf(bool is_max) {
  return Lowering(
      [is_max](const graph::Node& n, const NodeShapes& s, const targets::Target&,
               const std::string& name) { return LowerArgReduce(is_max, n, s, name); },
      [](const NodeShapes& s) {
        const DataType t = s.in_types[0];
        return (t == DataType::Float32() || t == DataType::Float64() || t.is_int()) &&
               s.out_types[0] == DataType::Int64();
      });
}

// float32 and float64, and the integers where the kind is exact on them;
// the output of the input's type.
Lowering ReduceOf(ReduceKind kind) {
  return Lowering(
      [kind](const graph::Node& n, const NodeShapes& s, const targets::Target&,
             const std::string& name) { return LowerReduce(kind, n, s, name); },
      [kind](const NodeShapes& s) {
        return OneFloatType(s) || (ReduceKindTakesIntegers(kind) && s.in_types.size() == 1 &&
                                   s.in_types[0].is_int() && s.out_types[0] == s.in_types[0]);
      });
}

// Sums: any float32/float64 or integer type, the output of the input's.
bool CumSumTypes(const NodeShapes& s) {
  const DataType t = s.in_types[0];
  return (t == DataType::Float32() || t == DataType::Float64() || t.is_int()) &&
         s.out_types[0] == t && (s.in_types.size() < 2 || s.in_types[1].is_int());
}

KILN_REGISTER(LoweringRegistry(), "reduce_sum", "sum over axes", ReduceOf(ReduceKind::kSum));
KILN_REGISTER(LoweringRegistry(), "reduce_mean", "mean over axes", ReduceOf(ReduceKind::kMean));
KILN_REGISTER(LoweringRegistry(), "reduce_max", "max over axes", ReduceOf(ReduceKind::kMax));
KILN_REGISTER(LoweringRegistry(), "reduce_min", "min over axes", ReduceOf(ReduceKind::kMin));
KILN_REGISTER(LoweringRegistry(), "reduce_prod", "product over axes", ReduceOf(ReduceKind::kProd));
KILN_REGISTER(LoweringRegistry(), "reduce_l1", "sum of |x| over axes", ReduceOf(ReduceKind::kL1));
KILN_REGISTER(LoweringRegistry(), "reduce_l2", "Euclidean norm over axes",
              ReduceOf(ReduceKind::kL2));
KILN_REGISTER(LoweringRegistry(), "reduce_sum_square", "sum of x^2 over axes",
              ReduceOf(ReduceKind::kSumSquare));
KILN_REGISTER(LoweringRegistry(), "reduce_log_sum", "log of the sum over axes",
              ReduceOf(ReduceKind::kLogSum));
KILN_REGISTER(LoweringRegistry(), "argmax", "index of the largest element along an axis",
              ArgReduceOf(true));
KILN_REGISTER(LoweringRegistry(), "argmin", "index of the smallest element along an axis",
              ArgReduceOf(false));
KILN_REGISTER(LoweringRegistry(), "cumsum", "running sums along an axis",
              Lowering(LowerCumSum, CumSumTypes));
KILN_REGISTER(LoweringRegistry(), "reduce_log_sum_exp", "log of the sum of exp over axes",
              ReduceOf(ReduceKind::kLogSumExp));

}  // namespace
}  // namespace kiln::ir::ops

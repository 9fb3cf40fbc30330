#include "ir/ops/softmax.h"

#include "absl/strings/str_cat.h"
#include "ir/lower/lower.h"
#include "ir/schedule.h"
#include "ir/tensor.h"

namespace kiln::ir::ops {
namespace {

absl::Status CheckSizes(int64_t rows, int64_t cols) {
  if (rows < 1 || cols < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("a [", rows, ", ", cols, "] input; both sizes must be positive"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<LoweredFunc> BuildSoftmax(int64_t rows, int64_t cols,
                                         const targets::Target& target,
                                         const std::string& name) {
  if (auto st = CheckSizes(rows, cols); !st.ok()) return st;
  Tensor in = Placeholder("in", {rows, cols});
  IterVar r1 = ReduceAxis(cols, "j"), r2 = ReduceAxis(cols, "j");
  Tensor row_max = Compute("row_max", {rows}, [&](const std::vector<Var>& i) {
    return MaxOf(Read(in, {i[0], r1->var}), {r1});
  });
  Tensor row_sum = Compute("row_sum", {rows}, [&](const std::vector<Var>& i) {
    return Sum(Call(Intrinsic::kExp, {Read(in, {i[0], r2->var}) - Read(row_max, {i[0]})}), {r2});
  });
  Tensor out = Compute("out", {rows, cols}, [&](const std::vector<Var>& i) {
    return Call(Intrinsic::kExp, {Read(in, {i[0], i[1]}) - Read(row_max, {i[0]})}) /
           Read(row_sum, {i[0]});
  });
  Schedule s({out});
  Stage& o = s[out];
  o.Parallel(o.axis(0));
  auto [jo, ji] = o.Split(o.axis(1), target.vector_lanes);
  o.Vectorize(ji);
  s[row_max].ComputeAt(o, o.axis(0));
  s[row_sum].ComputeAt(o, o.axis(0));
  return Lower(s, {in, out}, name);
}

absl::StatusOr<LoweredFunc> BuildRowReduction(RowReduction kind, int64_t rows, int64_t cols,
                                              const targets::Target& target,
                                              const std::string& name) {
  if (auto st = CheckSizes(rows, cols); !st.ok()) return st;
  Tensor in = Placeholder("in", {rows, cols});
  IterVar r = ReduceAxis(cols, "j");
  Tensor reduced = Compute("reduced", {rows}, [&](const std::vector<Var>& i) {
    Expr v = Read(in, {i[0], r->var});
    return kind == RowReduction::kMax ? MaxOf(v, {r}) : Sum(v, {r});
  });
  Tensor out = Compute("out", {rows}, [&](const std::vector<Var>& i) {
    Expr v = Read(reduced, {i[0]});
    return kind == RowReduction::kMean ? v * (1.0f / cols) : v;
  });
  Schedule s({out});
  Stage& o = s[out];
  // Rows in vectors: lane l reduces row o*lanes + l, reading columns with a
  // stride, which keeps the reduction itself in order (exact, reproducible).
  auto [ro, ri] = o.Split(o.axis(0), target.vector_lanes);
  o.Parallel(ro);
  Stage& red = s[reduced];
  red.ComputeAt(o, ro);
  red.Reorder({red.reduce_axis(0), red.axis(0)});
  red.Vectorize(red.axis(0));
  o.Vectorize(ri);
  return Lower(s, {in, out}, name);
}

}  // namespace kiln::ir::ops

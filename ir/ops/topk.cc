#include "ir/ops/topk.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ir/lower/lower.h"
#include "ir/ops/compute_type.h"
#include "ir/ops/loop_nest_util.h"

namespace kiln::ir::ops {
namespace {

// Whether a kept element `a` ranks strictly below a new one `b` (both in the
// compute type). A NaN ranks below every number; two NaNs, or equal
// numbers, rank alike, so that the earlier position stays first.
Expr RanksBelow(Expr a, Expr b, bool largest) {
  Expr below = largest ? a < b : a > b;
  if (a.dtype().is_float()) below = Or(below, And(a != a, b == b));
  return below;
}

}  // namespace

absl::StatusOr<LoweredFunc> BuildTopK(const std::vector<int64_t>& shape, int64_t axis, int64_t k,
                                      bool largest, const std::string& name, DataType elem) {
  const int64_t rank = shape.size();
  bool fits = axis >= 0 && axis < rank && k >= 1 && k <= shape[axis];
  for (int64_t d : shape) fits = fits && d >= 1;
  if (!fits) {
    return absl::InvalidArgumentError(absl::StrCat(
        "topk of k = ", k, " along axis ", axis, " of [", absl::StrJoin(shape, ", "),
        "]; expected no empty axis, an axis in [0, ", rank, ") and 1 <= k <= its size"));
  }
  const int64_t len = shape[axis];
  const int64_t inner = ShapeProduct(shape, axis + 1, rank);
  const int64_t rows = ShapeProduct(shape, 0, axis) * inner;
  std::vector<int64_t> out_shape = shape;
  out_shape[axis] = k;
  const Buffer in = ArgumentBuffer("in", elem, shape);
  const Buffer values = ArgumentBuffer("values", elem, out_shape);
  const Buffer indices = ArgumentBuffer("indices", DataType::Int64(), out_shape);
  // Where the new element goes: a mutable scalar, one per row's task.
  const Buffer pos = MakeBuffer("pos", DataType::Int64(), {Expr(int64_t{1})}, MemoryScope::kStack);
  const Expr zero = Expr(int64_t{0});

  const Var row("row"), o("o"), i("i"), e("e"), t("t"), j("j");
  const Var v("v", ComputeType(elem));
  auto in_at = [&](Expr x) { return (Expr(o) * len + x) * inner + i; };
  auto out_at = [&](Expr x) { return (Expr(o) * k + x) * inner + i; };
  auto kept_value = [&](Expr x) { return ToComputeType(Load(values, out_at(x))); };

  // The row's first min(e, k) outputs hold its best elements before e,
  // sorted. From the last up, each that ranks below e moves down one place
  // (falling off past k), and e goes where the last one moved from: after
  // every kept element that ranks alike or above, which keeps ties in
  // position order.
  const Expr kept = Min(Expr(e), Expr(k));
  const Stmt move_down = IfThenElse(
      RanksBelow(kept_value(j), v, largest),
      Seq({IfThenElse(Expr(j) + 1 < k,
                      Seq({Store(values, Load(values, out_at(j)), out_at(Expr(j) + 1)),
                           Store(indices, Load(indices, out_at(j)), out_at(Expr(j) + 1))})),
           Store(pos, j, zero)}));
  // pos < k: e enters only while fewer than k are kept (pos <= e < k) or when
  // it outranks the k-th (which then moves, so pos <= k - 1).
  const Stmt insert =
      Seq({Store(pos, kept, zero),
           For(t, zero, kept, ForKind::kSerial, LetStmt(j, kept - 1 - t, move_down)),
           Store(values, Load(in, in_at(e)), out_at(Load(pos, zero))),
           Store(indices, e, out_at(Load(pos, zero)))});
  // (While e < k the k-th output is not written yet: its read stays inside
  // the buffer and the Or ignores it.)
  const Expr enters = Or(Expr(e) < k, RanksBelow(kept_value(Expr(k - 1)), v, largest));
  const Stmt scan = For(e, zero, Expr(len), ForKind::kSerial,
                        LetStmt(v, ToComputeType(Load(in, in_at(e))), IfThenElse(enters, insert)));
  const Stmt body = For(row, zero, Expr(rows), ForKind::kParallel,
                        LetStmt(o, FloorDiv(row, Expr(inner)),
                                LetStmt(i, FloorMod(row, Expr(inner)), Allocate(pos, scan))));
  return LowerLoopNest(body, {in, values, indices}, name);
}

}  // namespace kiln::ir::ops

#include "ir/ops/scatter.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ir/lower/lower.h"
#include "ir/ops/compute_type.h"
#include "ir/ops/indices.h"
#include "ir/ops/loop_nest_util.h"

namespace kiln::ir::ops {
namespace {

// The update of out[at] by `update` (an element of out's type).
Stmt Update(const Buffer& out, Expr at, Expr update, ScatterReduction reduction) {
  if (reduction == ScatterReduction::kNone) return Store(out, update, at);
  const Expr e = ToComputeType(Load(out, at)), u = ToComputeType(update);
  Expr combined;
  switch (reduction) {
    case ScatterReduction::kAdd:
      combined = e + u;
      break;
    case ScatterReduction::kMul:
      combined = e * u;
      break;
    // As the reference's std::max and std::min: the update only when it is
    // strictly beyond the element, so a NaN on either side keeps the element.
    case ScatterReduction::kMax:
      combined = Select(e < u, u, e);
      break;
    case ScatterReduction::kMin:
      combined = Select(u < e, u, e);
      break;
    case ScatterReduction::kNone:
      break;
  }
  return Store(out, FromComputeType(combined, out->dtype), at);
}

// The data copied to the output, then `scatter`. The copy is a plain loop
// over contiguous elements, which LLVM turns into a memcpy (or, for bool,
// whose loads and stores convert, a vector loop).
absl::StatusOr<LoweredFunc> Finish(const Buffer& data, const Buffer& indices, const Buffer& updates,
                                   const Buffer& out, int64_t elements, Stmt scatter,
                                   const std::string& name) {
  Var f("f");
  Stmt copy =
      For(f, Expr(int64_t{0}), Expr(elements), ForKind::kSerial, Store(out, Load(data, f), f));
  return LowerLoopNest(Seq({copy, scatter}), {data, indices, updates, out}, name);
}

absl::Status CheckData(const std::vector<int64_t>& data_shape, DataType index_type) {
  if (auto st = CheckIndexType(index_type); !st.ok()) return st;
  for (int64_t d : data_shape) {
    if (d < 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "scatter into data [", absl::StrJoin(data_shape, ", "), "]; expected no empty axis"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<LoweredFunc> BuildScatterElements(const std::vector<int64_t>& data_shape,
                                                 const std::vector<int64_t>& indices_shape,
                                                 int64_t axis, ScatterReduction reduction,
                                                 const std::string& name, DataType elem,
                                                 DataType index_type) {
  if (auto st = CheckData(data_shape, index_type); !st.ok()) return st;
  const int64_t rank = data_shape.size();
  bool fits =
      rank >= 1 && static_cast<int64_t>(indices_shape.size()) == rank && axis >= 0 && axis < rank;
  for (int64_t d = 0; fits && d < rank; ++d) {
    fits = indices_shape[d] >= 0 && (d == axis || indices_shape[d] <= data_shape[d]);
  }
  if (!fits) {
    return absl::InvalidArgumentError(absl::StrCat(
        "scatter_elements into data [", absl::StrJoin(data_shape, ", "), "] along axis ", axis,
        " by indices [", absl::StrJoin(indices_shape, ", "),
        "]; expected indices of the data's rank, no longer than it outside the axis, and an axis "
        "in [0, ", rank, ")"));
  }
  const Buffer data = ArgumentBuffer("data", elem, data_shape);
  const Buffer indices = ArgumentBuffer("indices", index_type, indices_shape);
  const Buffer updates = ArgumentBuffer("updates", elem, indices_shape);
  const Buffer out = ArgumentBuffer("out", elem, data_shape);
  const std::vector<int64_t> data_strides = RowMajorStrides(data_shape);
  const std::vector<int64_t> index_strides = RowMajorStrides(indices_shape);

  // One serial loop per axis of the indices, in their row-major order; the
  // body updates the element at this position with the axis replaced.
  std::vector<Var> p;
  Expr source = Expr(int64_t{0}), target = Expr(int64_t{0});
  const Var w("w");
  for (int64_t d = 0; d < rank; ++d) {
    p.emplace_back(absl::StrCat("p", d));
    source = source + Expr(p[d]) * index_strides[d];
    target = target + (d == axis ? Expr(w) : Expr(p[d])) * data_strides[d];
  }
  Stmt body = LetStmt(w, WrapIndex(Load(indices, source), data_shape[axis]),
                      IfThenElse(InAxis(w, data_shape[axis]),
                                 Update(out, target, Load(updates, source), reduction)));
  for (int64_t d = rank; d-- > 0;) {
    body = For(p[d], Expr(int64_t{0}), Expr(indices_shape[d]), ForKind::kSerial, body);
  }
  return Finish(data, indices, updates, out, ShapeProduct(data_shape, 0, rank), body, name);
}

absl::StatusOr<LoweredFunc> BuildScatterNd(const std::vector<int64_t>& data_shape,
                                           const std::vector<int64_t>& indices_shape,
                                           ScatterReduction reduction, const std::string& name,
                                           DataType elem, DataType index_type) {
  if (auto st = CheckData(data_shape, index_type); !st.ok()) return st;
  const int64_t rank = data_shape.size(), q = indices_shape.size();
  const int64_t depth = q > 0 ? indices_shape.back() : 0;
  bool fits = depth >= 1 && depth <= rank;
  for (int64_t d : indices_shape) fits = fits && d >= 0;
  if (!fits) {
    return absl::InvalidArgumentError(
        absl::StrCat("scatter_nd into data [", absl::StrJoin(data_shape, ", "), "] by indices [",
                     absl::StrJoin(indices_shape, ", "), "]; expected tuples of 1 to ", rank,
                     " indices along the indices' last axis"));
  }
  // Each tuple names the leading `depth` axes of a slice of the rest.
  const int64_t tuples = ShapeProduct(indices_shape, 0, q - 1);
  const int64_t slice = ShapeProduct(data_shape, depth, rank);
  std::vector<int64_t> updates_shape(indices_shape.begin(), indices_shape.end() - 1);
  updates_shape.insert(updates_shape.end(), data_shape.begin() + depth, data_shape.end());
  const Buffer data = ArgumentBuffer("data", elem, data_shape);
  const Buffer indices = ArgumentBuffer("indices", index_type, indices_shape);
  const Buffer updates = ArgumentBuffer("updates", elem, updates_shape);
  const Buffer out = ArgumentBuffer("out", elem, data_shape);
  const std::vector<int64_t> data_strides = RowMajorStrides(data_shape);

  // Tuples in order; within one, the slice's elements are distinct.
  const Var t("t"), e("e");
  std::vector<Var> w;
  Expr target = Expr(e), inside;
  for (int64_t k = 0; k < depth; ++k) {
    w.emplace_back(absl::StrCat("w", k));
    target = target + Expr(w[k]) * data_strides[k];
    const Expr in_axis = InAxis(w[k], data_shape[k]);
    inside = inside.defined() ? And(inside, in_axis) : in_axis;
  }
  Stmt body =
      IfThenElse(inside, For(e, Expr(int64_t{0}), Expr(slice), ForKind::kSerial,
                             Update(out, target, Load(updates, Expr(t) * slice + e), reduction)));
  for (int64_t k = depth; k-- > 0;) {
    body = LetStmt(w[k], WrapIndex(Load(indices, Expr(t) * depth + k), data_shape[k]), body);
  }
  body = For(t, Expr(int64_t{0}), Expr(tuples), ForKind::kSerial, body);
  return Finish(data, indices, updates, out, ShapeProduct(data_shape, 0, rank), body, name);
}

}  // namespace kiln::ir::ops

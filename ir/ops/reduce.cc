#include "ir/ops/reduce.h"

#include <functional>
#include <limits>

#include "absl/strings/str_cat.h"
#include "ir/lower/lower.h"
#include "ir/schedule.h"
#include "ir/tensor.h"

namespace kiln::ir::ops {
namespace {

// Every kind is an accumulation `op` of map(x) over the reduced axes (from
// op's identity), then finish(total). LogSumExp maps exp(x - shift) with
// `shift` the maximum of the reduced elements, so that large inputs do not
// overflow exp; the other kinds ignore `shift`.
struct Recipe {
  ReduceOp op = ReduceOp::kSum;
  bool shifted = false;
  std::function<Expr(Expr x, Expr shift)> map;        // null: x itself
  std::function<Expr(Expr total, Expr shift)> finish;  // null: the total itself
};

Recipe RecipeFor(ReduceKind kind, int64_t count, DataType elem) {
  Recipe r;
  auto square = [](Expr x, Expr) { return x * x; };
  switch (kind) {
    case ReduceKind::kSum:
      break;
    case ReduceKind::kMean:
      if (elem == DataType::Float32()) {
        r.finish = [count](Expr t, Expr) { return t * (1.0f / static_cast<float>(count)); };
      } else {
        r.finish = [count, elem](Expr t, Expr) { return t / ConstantOf(elem, count); };
      }
      break;
    case ReduceKind::kMax:
      r.op = ReduceOp::kMax;
      break;
    case ReduceKind::kMin:
      r.op = ReduceOp::kMin;
      break;
    case ReduceKind::kProd:
      r.op = ReduceOp::kProd;
      break;
    case ReduceKind::kL1:
      r.map = [](Expr x, Expr) { return Call(Intrinsic::kAbs, {x}); };
      break;
    case ReduceKind::kL2:
      r.map = square;
      r.finish = [](Expr t, Expr) { return Call(Intrinsic::kSqrt, {t}); };
      break;
    case ReduceKind::kSumSquare:
      r.map = square;
      break;
    case ReduceKind::kLogSum:
      r.finish = [](Expr t, Expr) { return Call(Intrinsic::kLog, {t}); };
      break;
    case ReduceKind::kLogSumExp:
      r.shifted = true;
      r.map = [](Expr x, Expr m) { return Call(Intrinsic::kExp, {x - m}); };
      r.finish = [](Expr t, Expr m) { return m + Call(Intrinsic::kLog, {t}); };
      break;
  }
  return r;
}

// The `rank` output axes fused into one parallel loop.
void ParallelOverAllAxes(Stage& st, size_t rank) {
  Axis all = st.axis(0);
  for (size_t d = 1; d < rank; ++d) all = st.Fuse(all, st.axis(d));
  st.Parallel(all);
}

}  // namespace

bool ReduceKindTakesIntegers(ReduceKind kind) {
  return kind == ReduceKind::kSum || kind == ReduceKind::kMax || kind == ReduceKind::kMin ||
         kind == ReduceKind::kProd || kind == ReduceKind::kL1 || kind == ReduceKind::kSumSquare;
}

absl::StatusOr<LoweredFunc> BuildReduce(const std::vector<int64_t>& in_shape,
                                        const std::vector<bool>& reduced, bool keepdims,
                                        ReduceKind kind, const std::string& name, DataType elem) {
  const bool computes = elem == DataType::Float32() || elem == DataType::Float64() ||
                        (elem.is_int() && ReduceKindTakesIntegers(kind));
  if (!computes) {
    return absl::InvalidArgumentError(
        absl::StrCat("this reduction has no kernel for ", elem.ToString(), " elements"));
  }
  if (reduced.size() != in_shape.size() || in_shape.empty()) {
    return absl::InvalidArgumentError("reduce: one flag per input axis, at least one axis");
  }
  std::vector<int64_t> out_shape;
  int64_t count = 1;
  for (size_t d = 0; d < in_shape.size(); ++d) {
    if (in_shape[d] < 1) return absl::InvalidArgumentError("reduce of an empty tensor");
    if (reduced[d]) count *= in_shape[d];
    if (!reduced[d] || keepdims) out_shape.push_back(reduced[d] ? 1 : in_shape[d]);
  }
  const bool scalar = out_shape.empty();
  if (scalar) out_shape = {1};
  const Recipe recipe = RecipeFor(kind, count, elem);
  Tensor in = Placeholder("in", in_shape, elem);
  // Stage `stage`: at each output element i, op over the reduced axes of
  // source(the input element, i).
  auto reduction = [&](const std::string& stage, ReduceOp op,
                       const std::function<Expr(Expr, const std::vector<Var>&)>& source) {
    return Compute(stage, out_shape, [&](const std::vector<Var>& i) {
      std::vector<IterVar> axes;
      std::vector<Expr> idx;
      size_t o = 0;
      for (size_t d = 0; d < in_shape.size(); ++d) {
        if (reduced[d]) {
          axes.push_back(ReduceAxis(in_shape[d], absl::StrCat("r", d)));
          idx.push_back(axes.back()->var);
          if (keepdims) ++o;
        } else {
          idx.push_back(i[o++]);
        }
      }
      return Reduce(op, source(Read(in, idx), i), axes);
    });
  };
  auto at = [](const Tensor& t, const std::vector<Var>& i) {
    return Read(t, std::vector<Expr>(i.begin(), i.end()));
  };
  std::vector<Tensor> stages;
  Tensor shift;
  if (recipe.shifted) {
    Tensor peak = reduction("peak", ReduceOp::kMax, [](Expr x, const std::vector<Var>&) {
      return x;
    });
    // An infinite maximum would make x - shift NaN; a finite shift keeps
    // exp(x - shift) at 0 or infinity, as exp(x) would be.
    shift = Compute("shift", out_shape, [&](const std::vector<Var>& i) {
      return Min(at(peak, i), elem == DataType::Float32()
                                  ? ConstantOf(elem, std::numeric_limits<float>::max())
                                  : ConstantOf(elem, std::numeric_limits<double>::max()));
    });
    stages = {peak, shift};
  }
  auto shift_at = [&](const std::vector<Var>& i) {
    return shift ? at(shift, i) : ConstantOf(elem, 0);
  };
  Tensor total = reduction("total", recipe.op, [&](Expr x, const std::vector<Var>& i) {
    return recipe.map ? recipe.map(x, shift_at(i)) : x;
  });
  stages.push_back(total);
  Tensor out = total;
  if (recipe.finish) {
    out = Compute("out", out_shape, [&](const std::vector<Var>& i) {
      return recipe.finish(at(total, i), shift_at(i));
    });
    stages.push_back(out);
  }
  Schedule s({out});
  // The reduction loops sit inside each output element; the reductions
  // graphs need (global pooling, means over a few axes) are small. Where
  // the innermost axis is kept (global pooling of a blocked [N, C/b, H, W, b]
  // tensor), a row of it accumulates together instead: the reduction loops
  // outside it and the row one vector, so each step reads consecutive
  // elements (one element per output, reading every b-th, ran scalar and
  // read each cache line b times: MobileNetV3's SE pooling, 0.065 ms each).
  const size_t rank = out_shape.size();
  const bool rows = !scalar && rank >= 2 && !reduced.back();
  const int64_t row = out_shape.back();
  for (const Tensor& t : stages) {
    Stage& st = s[t];
    if (!rows) {
      ParallelOverAllAxes(st, rank);
      continue;
    }
    Axis outer = st.axis(0);
    for (size_t d = 1; d + 1 < rank; ++d) outer = st.Fuse(outer, st.axis(d));
    st.Parallel(outer);
    std::vector<Axis> order = {outer};
    for (size_t r = 0; r < st.reduce_axes().size(); ++r) order.push_back(st.reduce_axis(r));
    order.push_back(st.axis(rank - 1));
    if (order.size() > 2) st.Reorder(order);
    // Whole registers only: the vectorizer emits power-of-two widths well.
    if (row > 1 && row <= 64 && (row & (row - 1)) == 0) st.Vectorize(st.axis(rank - 1));
  }
  return Lower(s, {in, out}, name);
}

absl::StatusOr<LoweredFunc> BuildArgReduce(const std::vector<int64_t>& in_shape, int64_t axis,
                                           bool keepdims, bool is_max, bool select_last,
                                           const std::string& name, DataType elem) {
  const int64_t rank = in_shape.size();
  if (axis < 0 || axis >= rank) {
    return absl::InvalidArgumentError(
        absl::StrCat("arg reduction axis ", axis, " of a rank-", rank, " tensor"));
  }
  for (int64_t d : in_shape) {
    if (d < 1) return absl::InvalidArgumentError("arg reduction of an empty tensor");
  }
  if (!(elem == DataType::Float32() || elem == DataType::Float64() || elem.is_int())) {
    return absl::InvalidArgumentError(
        absl::StrCat("arg reductions have no kernel for ", elem.ToString(), " elements"));
  }
  std::vector<int64_t> out_shape;
  for (int64_t d = 0; d < rank; ++d) {
    if (d != axis || keepdims) out_shape.push_back(d == axis ? 1 : in_shape[d]);
  }
  if (out_shape.empty()) out_shape = {1};
  const int64_t extent = in_shape[axis];
  Tensor in = Placeholder("in", in_shape, elem);
  // The input index of output index i with the reduced axis at r.
  auto source = [&](const std::vector<Var>& i, Expr r) {
    std::vector<Expr> idx;
    size_t o = 0;
    for (int64_t d = 0; d < rank; ++d) {
      if (d == axis) {
        idx.push_back(r);
        if (keepdims) ++o;
      } else {
        idx.push_back(i[o++]);
      }
    }
    return idx;
  };
  // Two passes: the extreme value, then the first (or last) index holding it.
  Tensor peak = Compute("peak", out_shape, [&](const std::vector<Var>& i) {
    IterVar r = ReduceAxis(extent, "r");
    return Reduce(is_max ? ReduceOp::kMax : ReduceOp::kMin, Read(in, source(i, r->var)), {r});
  });
  // No element equals the extreme only where all are -inf (max) or +inf
  // (min), beyond the reduction's finite identity, or NaN: the reference
  // then answers the first index (the last with select_last).
  const int64_t none = select_last ? -1 : extent;
  Tensor index = Compute("index", out_shape, [&](const std::vector<Var>& i) {
    IterVar r = ReduceAxis(extent, "r");
    std::vector<Expr> at(i.begin(), i.end());
    Expr hit = Read(in, source(i, r->var)) == Read(peak, at);
    return Reduce(select_last ? ReduceOp::kMax : ReduceOp::kMin,
                  Select(hit, Expr(r->var), Expr(none)), {r});
  });
  Tensor out = Compute("out", out_shape, [&](const std::vector<Var>& i) {
    Expr found = Read(index, std::vector<Expr>(i.begin(), i.end()));
    return Select(found == none, Expr(select_last ? extent - 1 : int64_t{0}), found);
  });
  Schedule s({out});
  for (const Tensor& t : {peak, index, out}) ParallelOverAllAxes(s[t], out_shape.size());
  return Lower(s, {in, out}, name);
}

absl::StatusOr<LoweredFunc> BuildCumSum(const std::vector<int64_t>& shape, int64_t axis,
                                        bool exclusive, bool reverse, const std::string& name,
                                        DataType elem) {
  if (elem.is_bool() || elem.is_half_float()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cumsum has no kernel for ", elem.ToString(), " elements"));
  }
  if (axis < 0 || axis >= static_cast<int64_t>(shape.size())) {
    return absl::InvalidArgumentError(
        absl::StrCat("cumsum axis ", axis, " of a rank-", shape.size(), " tensor"));
  }
  for (int64_t d : shape) {
    if (d < 1) return absl::InvalidArgumentError("cumsum of an empty tensor");
  }
  Tensor in = Placeholder("in", shape, elem);
  // Each element sums its own prefix: quadratic in the axis length but
  // free of a loop-carried dependence, so every element runs in parallel.
  Tensor out = Compute("out", shape, [&](const std::vector<Var>& i) {
    IterVar r = ReduceAxis(shape[axis], "r");
    std::vector<Expr> idx(i.begin(), i.end());
    idx[axis] = r->var;
    const Expr j = i[axis];
    const Expr rv = r->var;
    const Expr included = reverse ? (exclusive ? rv > j : rv >= j) : (exclusive ? rv < j : rv <= j);
    return Sum(Read(in, idx), {r}, included);
  });
  Schedule s({out});
  ParallelOverAllAxes(s[out], shape.size());
  return Lower(s, {in, out}, name);
}

}  // namespace kiln::ir::ops

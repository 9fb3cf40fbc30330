#include "ir/ops/normalization.h"

#include <functional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ir/lower/lower.h"
#include "ir/schedule.h"
#include "ir/tensor.h"

namespace kiln::ir::ops {

absl::StatusOr<LoweredFunc> BuildRowNorm(const RowNormWorkload& w,
                                         const targets::Target& target,
                                         const std::string& name) {
  if (w.rows < 1 || w.cols < 1 || w.channels < 0) {
    return absl::InvalidArgumentError(absl::StrCat("normalization of [", w.rows, ", ", w.cols,
                                                   "]: sizes must be positive"));
  }
  const int64_t per = w.channels > 0 ? w.channels : w.cols;
  for (int64_t size : {w.scale_size, w.bias ? w.bias_size : int64_t{1}}) {
    if (size != 1 && size != per) {
      return absl::InvalidArgumentError(absl::StrCat(
          "normalization scale or bias of ", size, " values; expected 1 or ", per));
    }
  }
  const int64_t lanes = target.vector_lanes;
  const int64_t chunks = (w.cols + lanes - 1) / lanes;
  const float inv_cols = 1.0f / static_cast<float>(w.cols);
  Tensor in = Placeholder("in", {w.rows, w.cols});
  Tensor scale = Placeholder("scale", {w.scale_size});
  Tensor bias = w.bias ? Placeholder("bias", {w.bias_size}) : nullptr;
  struct RowSum {
    Tensor partial, sum, total;
  };
  // Sums value(row, column) over each row: lane j takes columns j, j + lanes, ...
  auto row_sum = [&](const std::string& tag, const std::function<Expr(Var, Expr)>& value,
                     const std::function<Expr(Expr)>& finish) {
    IterVar rc = ReduceAxis(chunks, "chunk");
    Tensor partial = Compute(tag + "_partial", {w.rows, lanes}, [&](const std::vector<Var>& i) {
      Expr column = Expr(rc->var) * lanes + i[1];
      Expr in_row = w.cols % lanes == 0 ? Expr() : column < w.cols;
      return Sum(value(i[0], column), {rc}, in_row);
    }, {"row", "lane"});
    IterVar rl = ReduceAxis(lanes, "lane");
    Tensor sum = Compute(tag + "_sum", {w.rows}, [&](const std::vector<Var>& i) {
      return Sum(Read(partial, {i[0], rl->var}), {rl});
    }, {"row"});
    Tensor total = Compute(tag, {w.rows}, [&](const std::vector<Var>& i) {
      return finish(Read(sum, {i[0]}));
    }, {"row"});
    return RowSum{partial, sum, total};
  };
  const RowSum mean = row_sum("mean", [&](Var r, Expr c) { return Read(in, {r, c}); },
                              [&](Expr s) { return s * inv_cols; });
  const RowSum inv = row_sum(
      "inv",
      [&](Var r, Expr c) {
        Expr d = Read(in, {r, c}) - Read(mean.total, {r});
        return d * d;
      },
      [&](Expr s) {
        return Expr(1.0f) / Call(Intrinsic::kSqrt, {s * inv_cols + static_cast<float>(w.epsilon)});
      });
  auto per_index = [&](const std::vector<Var>& i, int64_t size) -> Expr {
    if (size == 1) return Expr(int64_t{0});
    return w.channels > 0 ? FloorMod(Expr(i[0]), Expr(w.channels)) : Expr(i[1]);
  };
  Tensor out = Compute("out", {w.rows, w.cols}, [&](const std::vector<Var>& i) {
    Expr v = (Read(in, {i[0], i[1]}) - Read(mean.total, {i[0]})) * Read(inv.total, {i[0]}) *
             Read(scale, {per_index(i, w.scale_size)});
    if (bias) v = v + Read(bias, {per_index(i, w.bias_size)});
    return v;
  }, {"row", "col"});

  std::vector<Tensor> outputs = {out};
  if (w.stats) outputs.insert(outputs.end(), {mean.total, inv.total});
  Schedule s(outputs);
  Stage& o = s[out];
  o.Parallel(o.axis(0));
  auto [jo, ji] = o.Split(o.axis(1), lanes);
  o.Vectorize(ji);
  for (const RowSum& r : {mean, inv}) {
    Stage& t = s[r.total];
    if (w.stats) {
      t.Parallel(t.axis(0));  // an output: its own pass over the rows
    } else {
      t.ComputeAt(o, o.axis(0));
    }
    Stage& total_sum = s[r.sum];
    total_sum.ComputeAt(t, t.axis(0));
    Stage& p = s[r.partial];
    p.ComputeAt(total_sum, total_sum.axis(0));
    p.Reorder({p.axis(0), p.reduce_axis(0), p.axis(1)});
    p.Vectorize(p.axis(1));
  }
  std::vector<Tensor> args = {in, scale};
  if (bias) args.push_back(bias);
  args.insert(args.end(), outputs.begin(), outputs.end());
  return Lower(s, args, name);
}

absl::StatusOr<LoweredFunc> BuildBatchNorm(int64_t batch, int64_t channels, int64_t inner,
                                           double epsilon, const targets::Target& target,
                                           const std::string& name) {
  if (batch < 1 || channels < 1 || inner < 1) {
    return absl::InvalidArgumentError(absl::StrCat("batch_norm of [", batch, ", ", channels, ", ",
                                                   inner, "]: sizes must be positive"));
  }
  Tensor in = Placeholder("in", {batch, channels, inner});
  Tensor scale = Placeholder("scale", {channels});
  Tensor bias = Placeholder("bias", {channels});
  Tensor mean = Placeholder("mean", {channels});
  Tensor var = Placeholder("var", {channels});
  Tensor factor = Compute("factor", {channels}, [&](const std::vector<Var>& i) {
    return Read(scale, {i[0]}) /
           Call(Intrinsic::kSqrt, {Read(var, {i[0]}) + static_cast<float>(epsilon)});
  });
  Tensor out = Compute("out", {batch, channels, inner}, [&](const std::vector<Var>& i) {
    return (Read(in, {i[0], i[1], i[2]}) - Read(mean, {i[1]})) * Read(factor, {i[1]}) +
           Read(bias, {i[1]});
  });
  Schedule s({out});
  Stage& o = s[out];
  const Axis planes = o.Fuse(o.axis(0), o.axis(1));
  o.Parallel(planes);
  auto [io, ii] = o.Split(o.axis(2), target.vector_lanes);
  o.Vectorize(ii);
  s[factor].ComputeAt(o, planes);
  return Lower(s, {in, scale, bias, mean, var, out}, name);
}

}  // namespace kiln::ir::ops

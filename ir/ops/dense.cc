#include "ir/ops/dense.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "ir/lower/lower.h"
#include "ir/ops/divisors.h"
#include "ir/schedule.h"
#include "ir/tensor.h"

namespace kiln::ir::ops {
DenseConfig DefaultDenseConfig(const DenseWorkload& w, const targets::Target& target) {
  DenseConfig c;
  c.n_bn = LargestDivisorAtMost(w.n, target.vector_lanes);
  c.m_tile = LargestDivisorAtMost(w.m, std::max(1, target.vector_registers / 2 - 2));
  return c;
}

std::vector<float> PackDenseWeight(const float* weight, int64_t k, int64_t n, bool weight_is_nk,
                                   int64_t n_bn) {
  std::vector<float> packed(n * k);
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t kk = 0; kk < k; ++kk) {
      packed[((j / n_bn) * k + kk) * n_bn + j % n_bn] =
          weight_is_nk ? weight[j * k + kk] : weight[kk * n + j];
    }
  }
  return packed;
}

absl::StatusOr<LoweredFunc> BuildDense(const DenseWorkload& w, const DenseConfig& c,
                                       const std::string& name) {
  if (w.m < 1 || w.n < 1 || w.k < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("dense of ", w.m, "x", w.k, " by ", w.n, ": sizes must be positive"));
  }
  if (c.n_bn < 1 || w.n % c.n_bn != 0 || c.m_tile < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "dense config n_bn=", c.n_bn, " m_tile=", c.m_tile,
        " does not fit N=", w.n, ": n_bn must divide N and both must be positive"));
  }
  Tensor data = Placeholder("data", {w.m, w.k});
  Tensor weight = Placeholder("weight", {w.n / c.n_bn, w.k, c.n_bn});
  Tensor bias = w.bias ? Placeholder("bias", {w.n}) : nullptr;
  IterVar rk = ReduceAxis(w.k, "k");
  Tensor acc = Compute("acc", {w.m, w.n / c.n_bn, c.n_bn}, [&](const std::vector<Var>& i) {
    return Sum(Read(data, {i[0], rk->var}) * Read(weight, {i[1], rk->var, i[2]}), {rk});
  }, {"m", "n.outer", "n.inner"});
  Tensor out = Compute("out", {w.m, w.n}, [&](const std::vector<Var>& i) {
    Expr v = Read(acc, {i[0], FloorDiv(i[1], c.n_bn), FloorMod(i[1], c.n_bn)});
    if (bias) v = v + Read(bias, {i[1]});
    v = w.activation.Apply(v);
    return v;
  }, {"m", "n"});
  Schedule s({out});
  Stage& o = s[out];
  auto [mo, mi] = o.Split(o.axis(0), c.m_tile);
  auto [no, ni] = o.Split(o.axis(1), c.n_bn);
  o.Reorder({mo, no, mi, ni});
  o.Parallel(o.Fuse(mo, no));
  o.Vectorize(ni);
  Stage& a = s[acc];
  a.ComputeAt(o, o.leaf_axes()[0]);
  a.Reorder({a.axis(0), a.axis(1), a.reduce_axis(0), a.axis(2)});
  a.Vectorize(a.axis(2));
  std::vector<Tensor> args = {data, weight};
  if (bias) args.push_back(bias);
  args.push_back(out);
  return Lower(s, args, name);
}

absl::StatusOr<LoweredFunc> BuildBatchMatmul(const BatchMatmulWorkload& w,
                                             const targets::Target& target,
                                             const std::string& name) {
  if (w.batch < 1 || w.m < 1 || w.n < 1 || w.k < 1) {
    return absl::InvalidArgumentError("batch_matmul sizes must be positive");
  }
  Tensor a = Placeholder("a", {w.batch, w.m, w.k});
  Tensor b = Placeholder("b", {w.batch, w.k, w.n});
  IterVar rk = ReduceAxis(w.k, "k");
  Tensor out = Compute("out", {w.batch, w.m, w.n}, [&](const std::vector<Var>& i) {
    return Sum(Read(a, {i[0], i[1], rk->var}) * Read(b, {i[0], rk->var, i[2]}), {rk});
  }, {"b", "m", "n"});
  Schedule s({out});
  Tensor cache = s.CacheWrite(out);
  Stage& o = s[out];
  const int64_t lanes = target.vector_lanes;
  const int64_t rows = std::max(1, target.vector_registers / 2 - 2);
  auto tiles = o.Tile(o.axis(1), o.axis(2), rows, lanes);  // mo, no, mi, ni
  o.Parallel(o.Fuse(o.axis(0), tiles[0]));
  o.Vectorize(tiles[3]);
  Stage& c = s[cache];
  c.ComputeAt(o, tiles[1]);
  c.Reorder({c.axis(0), c.reduce_axis(0), c.axis(1), c.axis(2)});
  c.Unroll(c.axis(1));
  c.Vectorize(c.axis(2));
  return Lower(s, {a, b, out}, name);
}

}  // namespace kiln::ir::ops

#include "ir/ops/conv2d_winograd.h"

#include <algorithm>
#include <functional>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "ir/lower/lower.h"
#include "ir/ops/divisors.h"
#include "ir/schedule.h"
#include "ir/tensor.h"

namespace kiln::ir::ops {
namespace {

// sum_k coefficient[k] * term(k) over the non-zero coefficients, with 1 and
// -1 as plain adds and subtracts: the transforms are mostly those.
Expr LinearCombination(const std::vector<double>& coefficients,
                       const std::function<Expr(int64_t)>& term) {
  Expr sum;
  for (int64_t k = 0; k < static_cast<int64_t>(coefficients.size()); ++k) {
    const double c = coefficients[k];
    if (c == 0) continue;
    Expr t = term(k);
    const bool negative = c < 0;
    if (c != 1 && c != -1) t = t * Expr(static_cast<float>(negative ? -c : c));
    if (!sum.defined()) {
      sum = negative ? -t : t;
    } else {
      sum = negative ? sum - t : sum + t;
    }
  }
  return sum.defined() ? sum : Expr(0.0f);
}

std::vector<double> Row(const std::vector<double>& matrix, int64_t cols, int64_t r) {
  return {matrix.begin() + r * cols, matrix.begin() + (r + 1) * cols};
}

// value(index) for an index that is a loop variable but becomes a constant
// once its loop is unrolled: a chain of selects the simplifier folds away.
Expr SelectByIndex(const Expr& index, int64_t count, const std::function<Expr(int64_t)>& value) {
  Expr out = value(count - 1);
  for (int64_t k = count - 2; k >= 0; --k) out = Select(index == Expr(k), value(k), out);
  return out;
}

}  // namespace

bool WinogradApplies(const Conv2dWorkload& w) {
  return w.kernel_h == 3 && w.kernel_w == 3 && w.stride_h == 1 && w.stride_w == 1 &&
         w.dilation_h == 1 && w.dilation_w == 1 && ValidateConv2d(w).ok();
}

int64_t DefaultWinogradRegisterTiles(int64_t tiles, int64_t oc_bn, int64_t lanes,
                                     int64_t registers) {
  // As the direct convolution's tile: tile_ow broadcasts times the vectors of
  // one output block, accumulators plus weights plus a broadcast in the
  // registers, and at least 8 accumulators to hide the FMA latency. Tiles
  // that leave a short remainder lose little (the remainder runs once per
  // GEMM row), but a tile that divides evenly is preferred.
  const int64_t vectors = std::max<int64_t>(1, (oc_bn + lanes - 1) / lanes);
  const int64_t most = std::max<int64_t>(1, (registers - vectors - 1) / vectors);
  int64_t best = 1;
  double best_score = -1;
  for (int64_t r = 1; r <= std::min(most, tiles); ++r) {
    const double acc = static_cast<double>(r * vectors);
    const int64_t padded = (tiles + r - 1) / r * r;
    const double score = std::min(acc, 8.0) / 8.0 * acc / (r + vectors) *
                         static_cast<double>(tiles) / static_cast<double>(padded);
    if (score > best_score + 1e-9) {
      best_score = score;
      best = r;
    }
  }
  return best;
}

int64_t WinogradTiles(const Conv2dWorkload& w, int64_t m) {
  return w.batch * ((w.out_height() + m - 1) / m) * ((w.out_width() + m - 1) / m);
}

int64_t WinogradStoredTiles(int64_t tiles, int64_t ic_bn, int64_t oc_bn) {
  // Addresses a multiple of 4 KB apart share an L1 set. A tile's transform
  // points and channel blocks are `tiles` blocks apart: where that distance
  // is a multiple of 256 bytes, their streams crowd into a quarter of the
  // sets or fewer, more streams than a set has ways, and each write evicts
  // another's line. 1600 or 4096 tiles of 16 channels (160x160 and
  // 256x256 images in 4x4 tiles) put them all in one set.
  auto worst_alignment = [&](int64_t t) {
    return std::max(std::gcd(t * ic_bn * 4, int64_t{4096}), std::gcd(t * oc_bn * 4, int64_t{4096}));
  };
  int64_t best = tiles;
  for (int64_t t = tiles; t < tiles + 8 && worst_alignment(best) > 128; ++t) {
    if (worst_alignment(t) < worst_alignment(best)) best = t;
  }
  return best;
}

absl::StatusOr<LoweredFunc> BuildConv2dWinogradNCHWc(const Conv2dWorkload& w,
                                                     const Conv2dNCHWcConfig& c,
                                                     const std::string& name,
                                                     const PostOps& post) {
  if (!WinogradApplies(w)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Winograd needs a 3x3 stride-1 undilated convolution, got ", w.ToString()));
  }
  auto mats = WinogradMatricesFor(c.winograd_tile);
  if (!mats.ok()) return mats.status();
  if (c.ic_bn < 1 || c.oc_bn < 1 || c.tile_ow < 1 || w.in_channels % c.ic_bn != 0 ||
      w.out_channels % c.oc_bn != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "conv2d_winograd config (ic_bn=", c.ic_bn, ", oc_bn=", c.oc_bn, ", tile_ow=", c.tile_ow,
        ") does not fit ", w.ToString(), ": block sizes must divide the channel counts"));
  }
  const int64_t m = mats->m, alpha = mats->alpha;
  const int64_t icc = w.in_channels / c.ic_bn, occ = w.out_channels / c.oc_bn;
  const int64_t oh = w.out_height(), ow = w.out_width();
  const int64_t th = (oh + m - 1) / m, tw = (ow + m - 1) / m, tiles = WinogradTiles(w, m);
  // The transformed input and the products hold a few tiles more than the
  // image has (copies of the last one), for their layout's sake.
  const int64_t stored = WinogradStoredTiles(tiles, c.ic_bn, c.oc_bn);

  Tensor data = Placeholder("data", {w.batch, icc, w.height, w.width, c.ic_bn});
  Tensor weight = Placeholder("weight", {alpha * alpha, occ, icc, c.ic_bn, c.oc_bn});
  Tensor bias = w.bias ? Placeholder("bias", {w.out_channels}) : nullptr;
  Tensor residual = w.residual ? Placeholder("residual", {w.batch, occ, oh, ow, c.oc_bn})
                               : nullptr;
  // Padded to whole tiles: the last tiles read zeros beyond the image.
  Tensor pad = ZeroPaddedNCHWc(data, w, th * m + 2, tw * m + 2);
  // V[a][b] = sum_u B^T[a][u] sum_v B^T[b][v] d[u][v]: written nested so the
  // inner sums, shared by every a, are common subexpressions once a and b
  // are unrolled.
  Tensor input = Compute(
      "winograd_input", {alpha, alpha, icc, stored, c.ic_bn},
      [&](const std::vector<Var>& i) {
        Expr t = stored > tiles ? Min(Expr(i[3]), Expr(tiles - 1)) : Expr(i[3]);
        Expr n = FloorDiv(t, th * tw), ty = FloorMod(FloorDiv(t, tw), th), tx = FloorMod(t, tw);
        return SelectByIndex(i[0], alpha, [&](int64_t a) {
          return SelectByIndex(i[1], alpha, [&](int64_t b) {
            return LinearCombination(Row(mats->bt, alpha, a), [&](int64_t u) {
              return LinearCombination(Row(mats->bt, alpha, b), [&](int64_t v) {
                return Read(pad, {n, i[2], ty * m + u, tx * m + v, i[4]});
              });
            });
          });
        });
      },
      {"a", "b", "ic.chunk", "tile", "ic.block"});
  IterVar ric = ReduceAxis(icc, "ic.outer"), rii = ReduceAxis(c.ic_bn, "ic.inner");
  Tensor product = Compute(
      "winograd_product", {alpha * alpha, occ, stored, c.oc_bn},
      [&](const std::vector<Var>& i) {
        Expr a = FloorDiv(i[0], alpha), b = FloorMod(i[0], alpha);
        return Sum(Read(input, {a, b, ric->var, i[2], rii->var}) *
                       Read(weight, {i[0], i[1], ric->var, rii->var, i[3]}),
                   {ric, rii});
      },
      {"xi", "oc.chunk", "tile", "oc.block"});
  // y[i][j] = sum_a A^T[i][a] sum_b A^T[j][b] M[a][b], nested likewise.
  Tensor out = Compute(
      "out", {w.batch, occ, oh, ow, c.oc_bn},
      [&](const std::vector<Var>& i) {
        Expr y = Expr(i[2]), x = Expr(i[3]);
        Expr t = (Expr(i[0]) * th + FloorDiv(y, m)) * tw + FloorDiv(x, m);
        Expr v = SelectByIndex(FloorMod(y, m), m, [&](int64_t r) {
          return SelectByIndex(FloorMod(x, m), m, [&](int64_t s) {
            return LinearCombination(Row(mats->at, alpha, r), [&](int64_t a) {
              return LinearCombination(Row(mats->at, alpha, s), [&](int64_t b) {
                return Read(product, {Expr(a * alpha + b), i[1], t, i[4]});
              });
            });
          });
        });
        return Conv2dEpilogue(w, c.oc_bn, bias, residual, post, i, v);
      },
      {"n", "oc.chunk", "oh", "ow", "oc.block"});

  Schedule s({out});
  ScheduleStagedInput(s[pad]);
  {
    Stage& v = s[input];
    // Tiles outermost, like the rows of the padded input it reads.
    v.Reorder({v.axis(3), v.axis(2), v.axis(0), v.axis(1), v.axis(4)});
    v.Parallel(v.axis(3));
    v.Unroll(v.axis(0));
    v.Unroll(v.axis(1));
    v.Vectorize(v.axis(4));
  }
  {
    // As in the direct convolution, oc_group blocks of output channels
    // share each register block of input tiles while it is in L1.
    Tensor acc = s.CacheWrite(product);
    Stage& g = s[product];
    auto [tiles_outer, tiles_inner] = g.Split(g.axis(2), c.tile_ow);
    auto [group, in_group] = g.Split(g.axis(1), LargestDivisorAtMost(occ, c.oc_group));
    g.Reorder({g.axis(0), group, tiles_outer, in_group, tiles_inner, g.axis(3)});
    const Axis blocks = g.Fuse(g.Fuse(g.Fuse(g.axis(0), group), tiles_outer), in_group);
    g.Parallel(blocks);
    g.Vectorize(g.axis(3));
    Stage& a = s[acc];
    a.ComputeAt(g, blocks);
    a.Reorder({a.axis(0), a.axis(1), a.reduce_axis(0), a.reduce_axis(1), a.axis(2), a.axis(3)});
    a.Unroll(a.axis(2));
    a.Vectorize(a.axis(3));
    // The weights of one transform point and channel block serve every
    // block of tiles in turn; fetch the next channel block's while they do
    // (as the direct convolution does; the model's Winograd layers at one
    // thread: 5.3 -> 4.5 ms, against 4.9 prefetching one input block ahead).
    a.Prefetch(weight, a.reduce_axis(1), icc * c.ic_bn * c.oc_bn, c.oc_bn);
  }
  {
    Stage& o = s[out];
    auto [yo, yi] = o.Split(o.axis(2), m);
    auto [xo, xi] = o.Split(o.axis(3), m);
    // Rows of tiles outermost: the output is split between threads as every
    // other kernel splits its output (see ScheduleImageRows).
    o.Reorder({o.axis(0), yo, o.axis(1), xo, yi, xi, o.axis(4)});
    o.Parallel(o.Fuse(o.axis(0), yo));
    o.Unroll(yi);
    o.Unroll(xi);
    o.Vectorize(o.axis(4));
  }
  std::vector<Tensor> args = {data, weight};
  if (bias) args.push_back(bias);
  if (residual) args.push_back(residual);
  args.insert(args.end(), post.operands().begin(), post.operands().end());
  args.push_back(out);
  return Lower(s, args, name);
}

}  // namespace kiln::ir::ops

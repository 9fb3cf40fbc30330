#include "ir/ops/dense.h"

#include <algorithm>
#include <optional>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ir/lower/lower.h"
#include "ir/ops/divisors.h"
#include "ir/ops/register_vectors.h"
#include "ir/schedule.h"
#include "ir/tensor.h"

namespace kiln::ir::ops {
namespace {

std::string ShapeString(const std::vector<int64_t>& shape) {
  return absl::StrCat("[", absl::StrJoin(shape, ", "), "]");
}

// Rows of a register tile of at most `most` rows over M: the largest that
// divides M, unless it is under half of what fits; then what fits, with a
// shorter last tile (ViT's 197 tokens: 1 row, a GEMV per row, against 4).
int64_t TileRows(int64_t m, int64_t most) {
  const int64_t fits = std::min(m, std::max<int64_t>(1, most));
  const int64_t divisor = LargestDivisorAtMost(m, fits);
  return 2 * divisor >= fits ? divisor : fits;
}

}  // namespace

DenseConfig DefaultDenseConfig(const DenseWorkload& w, const targets::Target& target) {
  const int64_t lanes = target.vector_lanes, registers = target.vector_registers;
  // Where no whole vector divides N: tiles one partial vector wide.
  DenseConfig best{LargestDivisorAtMost(w.n, lanes), TileRows(w.m, registers / 2 - 2)};
  // The register tile: m_tile rows x `vectors` vectors of output features,
  // whose accumulators, one register per weight vector and one for the
  // broadcast row element all stay in registers. Enough accumulators come
  // first: every FMA waits for the one before it on the same accumulator
  // (about 8 must be in flight: 4 cycles of latency, 2 per cycle; half the
  // registers). Then the fewest loads per FMA (each weight vector and row
  // element loaded serves more FMAs), then more accumulators. Tiles that
  // leave a core without a task come last. BERT-base's 768x768 layers at
  // M = 128 on AVX2: 4 rows x 3 vectors, 38.8 -> 50.3 GFLOPS against the
  // 4 x 2 tile that only powers of two of vectors allowed before. With rows
  // that need not divide M, 14 rows x 1 vector has more accumulators than
  // 4 x 3 but loads a row element for every FMA: 4 x 3 for ViT's M = 197.
  auto score = [&](int64_t vectors, int64_t rows) {
    const int64_t tasks = (w.n / (vectors * lanes)) * CeilDiv(w.m, rows);
    const int64_t accumulators = rows * vectors;
    return std::tuple(tasks >= target.num_cores, std::min<int64_t>(accumulators, registers / 2),
                      -static_cast<double>(rows + vectors) / accumulators, accumulators);
  };
  std::optional<decltype(score(1, 1))> best_score;
  for (int64_t vectors = 1; 2 * vectors + 1 <= registers && vectors * lanes <= w.n; ++vectors) {
    if (w.n % (vectors * lanes) != 0) continue;
    const int64_t rows = TileRows(w.m, (registers - 1 - vectors) / vectors);
    if (rows * vectors + vectors + 1 > registers) continue;
    if (!best_score || score(vectors, rows) > *best_score) {
      best = {vectors * lanes, rows};
      best_score = score(vectors, rows);
    }
  }
  return best;
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
                                       const targets::Target& target, const std::string& name,
                                       const PostOps& post) {
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
    return post.Apply(w.activation.Apply(v), i);
  }, {"m", "n"});
  Schedule s({out});
  Stage& o = s[out];
  auto [mo, mi] = o.Split(o.axis(0), c.m_tile);
  auto [no, ni] = o.Split(o.axis(1), c.n_bn);
  // Weight panels outermost: a panel stays in cache while every row tile
  // passes it, so the weights stream from memory once. Rows outermost
  // streamed all of them once per row tile instead (BERT-base's 768x3072
  // layers at M = 128: 16 times 9.4 MB).
  o.Reorder({no, mo, mi, ni});
  o.Parallel(o.Fuse(no, mo));
  VectorizeAsRegisters(o, ni, c.n_bn, target.vector_lanes);
  Stage& a = s[acc];
  a.ComputeAt(o, o.leaf_axes()[0]);
  // The k loop outside the tile's rows: each weight vector loaded serves
  // every row of the tile, whose accumulators stay in registers.
  a.Reorder({a.axis(1), a.reduce_axis(0), a.axis(0), a.axis(2)});
  a.Unroll(a.axis(0));
  VectorizeAsRegisters(a, a.axis(2), c.n_bn, target.vector_lanes);
  std::vector<Tensor> args = {data, weight};
  if (bias) args.push_back(bias);
  args.insert(args.end(), post.operands().begin(), post.operands().end());
  args.push_back(out);
  return Lower(s, args, name);
}

absl::StatusOr<LoweredFunc> BuildBatchMatmul(const BatchMatmulWorkload& w,
                                             const targets::Target& target,
                                             const std::string& name) {
  if (w.batch < 1 || w.m < 1 || w.n < 1 || w.k < 1) {
    return absl::InvalidArgumentError("batch_matmul sizes must be positive");
  }
  MatmulWorkload mw;
  mw.batch = mw.a_batch = mw.b_batch = {w.batch};
  mw.m = w.m;
  mw.n = w.n;
  mw.k = w.k;
  return BuildMatmul(mw, target, name);
}

absl::StatusOr<MatmulWorkload> NumpyMatmulWorkload(const std::vector<int64_t>& a_shape,
                                                   const std::vector<int64_t>& b_shape) {
  if (a_shape.empty() || b_shape.empty()) return absl::InvalidArgumentError("matmul of a scalar");
  std::vector<int64_t> a = a_shape, b = b_shape;
  if (a.size() == 1) a.insert(a.begin(), 1);
  if (b.size() == 1) b.push_back(1);
  MatmulWorkload w;
  w.m = a[a.size() - 2];
  w.k = a.back();
  w.n = b.back();
  if (b[b.size() - 2] != w.k) {
    return absl::InvalidArgumentError(absl::StrCat("matmul of ", ShapeString(a_shape),
                                                   " by ", ShapeString(b_shape),
                                                   ": inner dimensions differ"));
  }
  const size_t rank = std::max(a.size(), b.size()) - 2;
  w.a_batch.assign(rank - (a.size() - 2), 1);
  w.a_batch.insert(w.a_batch.end(), a.begin(), a.end() - 2);
  w.b_batch.assign(rank - (b.size() - 2), 1);
  w.b_batch.insert(w.b_batch.end(), b.begin(), b.end() - 2);
  for (size_t d = 0; d < rank; ++d) {
    const int64_t x = w.a_batch[d], y = w.b_batch[d];
    if (x != y && x != 1 && y != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("matmul of ", ShapeString(a_shape), " by ",
                       ShapeString(b_shape), ": batch dimensions do not broadcast"));
    }
    w.batch.push_back(x == 1 ? y : x);
  }
  return w;
}

namespace {

// One batch dimension of a matmul and whether each operand has it.
struct BatchDim {
  int64_t extent;
  bool in_a, in_b;
};

// What the kernel loops over: the batch dimensions left and the rows it
// tiles.
struct FoldedMatmul {
  std::vector<BatchDim> dims;
  int64_t m;
};

absl::StatusOr<FoldedMatmul> FoldMatmul(const MatmulWorkload& w) {
  if (w.m < 1 || w.n < 1 || w.k < 1) {
    return absl::InvalidArgumentError(absl::StrCat("matmul of ", w.m, "x", w.k, " by ", w.k, "x",
                                                   w.n, ": sizes must be positive"));
  }
  if (w.a_batch.size() > w.batch.size() || w.b_batch.size() > w.batch.size()) {
    return absl::InvalidArgumentError("matmul operands have more batch dimensions than the output");
  }
  if (w.has_c && (w.c_shape.size() > 2 ||
                  (!w.c_shape.empty() && w.c_shape.back() != 1 && w.c_shape.back() != w.n) ||
                  (w.c_shape.size() == 2 && w.c_shape[0] != 1 && w.c_shape[0] != w.m))) {
    return absl::InvalidArgumentError(absl::StrCat("C of shape ", ShapeString(w.c_shape),
                                                   " does not broadcast to [", w.m, ", ", w.n,
                                                   "]"));
  }
  // The batch dimensions, without those of extent 1, and with neighbours that
  // the same operands have merged: at most a few remain (attention's [B, H]
  // is one).
  FoldedMatmul f{{}, w.m};
  std::vector<BatchDim>& dims = f.dims;
  for (size_t d = 0; d < w.batch.size(); ++d) {
    auto extent_of = [&](const std::vector<int64_t>& operand) {
      const size_t pad = w.batch.size() - operand.size();
      return d < pad ? int64_t{1} : operand[d - pad];
    };
    const int64_t e = w.batch[d], ea = extent_of(w.a_batch), eb = extent_of(w.b_batch);
    if (e < 1 || (ea != e && ea != 1) || (eb != e && eb != 1)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "matmul batch dimension ", d, " of extent ", e, ": the operands' ", ea, " and ", eb,
          " do not broadcast to it"));
    }
    if (e == 1) continue;
    const BatchDim dim{e, ea == e, eb == e};
    if (!dims.empty() && dims.back().in_a == dim.in_a && dims.back().in_b == dim.in_b) {
      dims.back().extent *= e;
    } else {
      dims.push_back(dim);
    }
  }
  // A batch of A's rows times one B is one product with more rows.
  const bool c_has_rows = w.has_c && w.c_shape.size() == 2 && w.c_shape[0] != 1;
  if (dims.size() == 1 && dims[0].in_a && !dims[0].in_b && !w.trans_a && !c_has_rows) {
    f.m *= dims[0].extent;
    dims.clear();
  }
  return f;
}

MatmulConfig DefaultMatmulConfigOfRows(const MatmulWorkload& w, int64_t m,
                                       const targets::Target& target) {
  // The register tile: rows x vectors of columns, with a register left for
  // each vector of B and one for the broadcast element of A.
  MatmulConfig c;
  c.vectors = w.n > MatmulLanes(w, target) ? 2 : 1;
  c.rows = std::max<int64_t>(
      1, std::min<int64_t>(m, (target.vector_registers - c.vectors - 1) / c.vectors));
  // Consecutive tasks share the outer tile's operand: B's column panel when
  // B is the larger matrix (it is then read once, each panel from cache for
  // every row tile), A's rows otherwise.
  c.b_panel_outer = w.k * w.n > m * w.k;
  return c;
}

}  // namespace

int64_t MatmulLanes(const MatmulWorkload& w, const targets::Target& target) {
  // target.vector_lanes counts float32 lanes.
  return std::max<int64_t>(1, target.vector_lanes * 4 / w.elem.bytes());
}

absl::StatusOr<int64_t> MatmulKernelRows(const MatmulWorkload& w) {
  auto f = FoldMatmul(w);
  if (!f.ok()) return f.status();
  return f->m;
}

absl::StatusOr<MatmulConfig> DefaultMatmulConfig(const MatmulWorkload& w,
                                                 const targets::Target& target) {
  auto m = MatmulKernelRows(w);
  if (!m.ok()) return m.status();
  return DefaultMatmulConfigOfRows(w, *m, target);
}

absl::StatusOr<LoweredFunc> BuildMatmul(const MatmulWorkload& w, const targets::Target& target,
                                        const std::string& name,
                                        const std::optional<MatmulConfig>& config) {
  auto folded = FoldMatmul(w);
  if (!folded.ok()) return folded.status();
  const std::vector<BatchDim>& dims = folded->dims;
  const int64_t m = folded->m;
  const MatmulConfig cfg = config ? *config : DefaultMatmulConfigOfRows(w, m, target);
  if (cfg.rows < 1 || cfg.vectors < 1) {
    return absl::InvalidArgumentError(absl::StrCat("matmul config of ", cfg.rows, " rows x ",
                                                   cfg.vectors,
                                                   " vectors: both must be positive"));
  }
  const int nb = static_cast<int>(dims.size());

  std::vector<int64_t> a_shape, b_shape, out_shape;
  for (const BatchDim& d : dims) {
    a_shape.push_back(d.in_a ? d.extent : 1);
    b_shape.push_back(d.in_b ? d.extent : 1);
    out_shape.push_back(d.extent);
  }
  for (int64_t e : w.trans_a ? std::vector<int64_t>{w.k, m} : std::vector<int64_t>{m, w.k}) {
    a_shape.push_back(e);
  }
  for (int64_t e : w.trans_b ? std::vector<int64_t>{w.n, w.k} : std::vector<int64_t>{w.k, w.n}) {
    b_shape.push_back(e);
  }
  out_shape.push_back(m);
  out_shape.push_back(w.n);
  Tensor a = Placeholder("a", a_shape, w.elem);
  Tensor b = Placeholder("b", b_shape, w.elem);
  std::vector<int64_t> c_buffer = w.c_shape;
  if (c_buffer.empty()) c_buffer = {1};
  Tensor c = w.has_c ? Placeholder("c", c_buffer, w.elem) : nullptr;

  auto batch_index = [&](const std::vector<Var>& i, bool of_a) {
    std::vector<Expr> index;
    for (int d = 0; d < nb; ++d) {
      index.push_back((of_a ? dims[d].in_a : dims[d].in_b) ? Expr(i[d]) : Expr(int64_t{0}));
    }
    return index;
  };
  // B read transposed would make each vector of columns a gather, and a last
  // panel of columns past N would test every lane of every tile (N = 197,
  // ViT's tokens: 40x slower than 192): copy B once into [.., K, N] rounded
  // up to whole panels, zeros past N, first. The accumulators then cover
  // whole panels; only the store to the output stops at N.
  const int64_t lanes = MatmulLanes(w, target);
  const int64_t panel = lanes * cfg.vectors;
  const int64_t n_pad = RoundUp(w.n, panel);
  const bool padded = n_pad != w.n;
  Tensor b_kn = b;
  if (w.trans_b || padded) {
    std::vector<int64_t> shape(b_shape.begin(), b_shape.end() - 2);
    shape.push_back(w.k);
    shape.push_back(n_pad);
    b_kn = Compute("b_panels", shape, [&](const std::vector<Var>& i) {
      std::vector<Expr> index(i.begin(), i.end() - 2);
      // Clamped: the zeros past N must not read past B.
      Expr n = padded ? Min(Expr(i[nb + 1]), Expr(w.n - 1)) : Expr(i[nb + 1]);
      if (w.trans_b) {
        index.push_back(n);
        index.push_back(i[nb]);
      } else {
        index.push_back(i[nb]);
        index.push_back(n);
      }
      Expr v = Read(b, index);
      return padded ? Select(Expr(i[nb + 1]) < Expr(w.n), v, MakeConst(w.elem, 0.0)) : v;
    });
  }
  IterVar rk = ReduceAxis(w.k, "k");
  std::vector<std::string> axis_names;
  for (int d = 0; d < nb; ++d) axis_names.push_back(absl::StrCat("b", d));
  axis_names.push_back("m");
  axis_names.push_back("n");
  std::vector<int64_t> acc_shape = out_shape;
  acc_shape.back() = n_pad;
  Tensor acc = Compute("acc", acc_shape, [&](const std::vector<Var>& i) {
    std::vector<Expr> ai = batch_index(i, true), bi = batch_index(i, false);
    if (w.trans_a) {
      ai.push_back(rk->var);
      ai.push_back(i[nb]);
    } else {
      ai.push_back(i[nb]);
      ai.push_back(rk->var);
    }
    bi.push_back(rk->var);
    bi.push_back(i[nb + 1]);
    return Sum(Read(a, ai) * Read(b_kn, bi), {rk});
  }, axis_names);
  Tensor out = Compute("out", out_shape, [&](const std::vector<Var>& i) {
    Expr v = Read(acc, std::vector<Expr>(i.begin(), i.end()));
    if (w.alpha != 1.0) v = v * MakeConst(w.elem, w.alpha);
    if (c && w.beta != 0.0) {
      std::vector<Expr> ci;
      if (w.c_shape.empty()) {
        ci.push_back(int64_t{0});
      } else {
        if (w.c_shape.size() == 2) ci.push_back(w.c_shape[0] == 1 ? Expr(int64_t{0}) : i[nb]);
        ci.push_back(w.c_shape.back() == 1 ? Expr(int64_t{0}) : i[nb + 1]);
      }
      Expr cv = Read(c, ci);
      v = v + (w.beta == 1.0 ? cv : cv * MakeConst(w.elem, w.beta));
    }
    return v;
  }, axis_names);

  Schedule s({out});
  Stage& o = s[out];
  auto [mo, mi] = o.Split(o.axis(nb), cfg.rows);
  auto [no, ni] = o.Split(o.axis(nb + 1), panel);
  std::vector<Axis> order;
  for (int d = 0; d < nb; ++d) order.push_back(o.axis(d));
  if (cfg.b_panel_outer) {
    order.insert(order.end(), {no, mo, mi, ni});
  } else {
    order.insert(order.end(), {mo, no, mi, ni});
  }
  o.Reorder(order);
  Axis tasks = order[0];
  for (size_t d = 1; d < order.size() - 2; ++d) tasks = o.Fuse(tasks, order[d]);
  o.Parallel(tasks);
  VectorizeAsRegisters(o, ni, panel, lanes);
  Stage& r = s[acc];
  r.ComputeAt(o, tasks);
  std::vector<Axis> acc_order;
  for (int d = 0; d < nb; ++d) acc_order.push_back(r.axis(d));
  acc_order.insert(acc_order.end(), {r.reduce_axis(0), r.axis(nb), r.axis(nb + 1)});
  r.Reorder(acc_order);
  r.Unroll(r.axis(nb));
  VectorizeAsRegisters(r, r.axis(nb + 1), panel, lanes);
  if (b_kn != b) {
    Stage& t = s[b_kn];
    Axis outer = t.axis(0);
    for (int d = 1; d < nb + 1; ++d) outer = t.Fuse(outer, t.axis(d));
    t.Parallel(outer);
  }
  std::vector<Tensor> args = {a, b};
  if (c) args.push_back(c);
  args.push_back(out);
  return Lower(s, args, name);
}

}  // namespace kiln::ir::ops

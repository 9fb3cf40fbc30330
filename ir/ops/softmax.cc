#include "ir/ops/softmax.h"

#include <functional>
#include <vector>

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
  return BuildSoftmax(SoftmaxKind::kSoftmax, rows, cols, 1, target, name);
}

namespace {

enum class Combine { kSum, kMax, kMin };

Expr Reduction(Combine c, Expr v, IterVar axis, Expr condition = Expr()) {
  switch (c) {
    case Combine::kSum: return Sum(v, {axis}, condition);
    case Combine::kMax: return MaxOf(v, {axis}, condition);
    case Combine::kMin: return MinOf(v, {axis}, condition);
  }
  return Expr();
}

Expr IndexAsFloat(Expr i) { return Cast(DataType::Float32(), i); }

// Softmax along the last axis of [rows, len]: reductions over a row run as
// `lanes` partial reductions (lane j takes columns j, j + lanes, ...) in one
// vector, then across the lanes.
absl::StatusOr<LoweredFunc> BuildRowSoftmax(SoftmaxKind kind, int64_t rows, int64_t len,
                                            const targets::Target& target,
                                            const std::string& name) {
  const int64_t lanes = target.vector_lanes;
  const int64_t chunks = (len + lanes - 1) / lanes;
  Tensor in = Placeholder("in", {rows, len});
  struct RowReduce {
    Tensor partial, total;
  };
  int counter = 0;
  // value(row, column) reduced over each row's columns.
  auto reduce = [&](Combine c, const std::function<Expr(Var, Expr)>& value) {
    const std::string tag = absl::StrCat(counter++);
    IterVar rc = ReduceAxis(chunks, "chunk");
    Tensor partial = Compute(absl::StrCat("partial", tag), {rows, lanes},
                             [&](const std::vector<Var>& i) {
      Expr column = Expr(rc->var) * lanes + i[1];
      Expr in_row = len % lanes == 0 ? Expr() : column < len;
      return Reduction(c, value(i[0], column), rc, in_row);
    }, {"row", "lane"});
    IterVar rl = ReduceAxis(lanes, "lane");
    Tensor total = Compute(absl::StrCat("total", tag), {rows}, [&](const std::vector<Var>& i) {
      return Reduction(c, Read(partial, {i[0], rl->var}), rl);
    }, {"row"});
    return RowReduce{partial, total};
  };
  RowReduce max = reduce(Combine::kMax, [&](Var r, Expr l) { return Read(in, {r, l}); });
  std::vector<RowReduce> reductions = {max};
  Tensor staged;  // exp(x - max), for softmax
  Tensor out;
  if (kind == SoftmaxKind::kHardmax) {
    RowReduce first = reduce(Combine::kMin, [&](Var r, Expr l) {
      return Select(Read(in, {r, l}) == Read(max.total, {r}), IndexAsFloat(l),
                    Expr(static_cast<float>(len)));
    });
    reductions.push_back(first);
    out = Compute("out", {rows, len}, [&](const std::vector<Var>& i) {
      return Select(IndexAsFloat(i[1]) == Read(first.total, {i[0]}), Expr(1.0f), Expr(0.0f));
    });
  } else if (kind == SoftmaxKind::kLogSoftmax) {
    RowReduce sum = reduce(Combine::kSum, [&](Var r, Expr l) {
      return Call(Intrinsic::kExp, {Read(in, {r, l}) - Read(max.total, {r})});
    });
    reductions.push_back(sum);
    out = Compute("out", {rows, len}, [&](const std::vector<Var>& i) {
      return Read(in, {i[0], i[1]}) - Read(max.total, {i[0]}) -
             Call(Intrinsic::kLog, {Read(sum.total, {i[0]})});
    });
  } else {
    staged = Compute("exp", {rows, len}, [&](const std::vector<Var>& i) {
      return Call(Intrinsic::kExp, {Read(in, {i[0], i[1]}) - Read(max.total, {i[0]})});
    });
    RowReduce sum = reduce(Combine::kSum, [&](Var r, Expr l) { return Read(staged, {r, l}); });
    reductions.push_back(sum);
    out = Compute("out", {rows, len}, [&](const std::vector<Var>& i) {
      return Read(staged, {i[0], i[1]}) * (Expr(1.0f) / Read(sum.total, {i[0]}));
    });
  }
  // Each stage is computed per row inside a stage that reads it.
  std::vector<std::pair<Tensor, Tensor>> attach = {{max.total, staged ? staged : out}};
  if (kind == SoftmaxKind::kHardmax) attach[0].second = reductions[1].partial;
  for (size_t r = 1; r < reductions.size(); ++r) attach.push_back({reductions[r].total, out});
  if (staged) attach.push_back({staged, out});
  for (const RowReduce& r : reductions) attach.push_back({r.partial, r.total});
  Schedule s({out});
  Stage& o = s[out];
  o.Parallel(o.axis(0));
  auto [jo, ji] = o.Split(o.axis(1), lanes);
  o.Vectorize(ji);
  for (const auto& [tensor, consumer] : attach) {
    Stage& c = s[consumer];
    s[tensor].ComputeAt(c, c.axis(0));
  }
  for (const RowReduce& r : reductions) {
    Stage& p = s[r.partial];
    p.Reorder({p.axis(0), p.reduce_axis(0), p.axis(1)});
    p.Vectorize(p.axis(1));
  }
  if (staged) {
    Stage& e = s[staged];
    auto [eo, ei] = e.Split(e.axis(1), lanes);
    e.Vectorize(ei);
  }
  return Lower(s, {in, out}, name);
}

// Softmax along the middle axis of [outer, len, inner], inner > 1: each task
// takes a vector of inner positions and reduces them side by side.
absl::StatusOr<LoweredFunc> BuildStridedSoftmax(SoftmaxKind kind, int64_t outer, int64_t len,
                                                int64_t inner, const targets::Target& target,
                                                const std::string& name) {
  Tensor in = Placeholder("in", {outer, len, inner});
  std::vector<Tensor> reductions;
  auto reduce = [&](Combine c, const std::string& tag,
                    const std::function<Expr(Var, Expr, Var)>& value) {
    IterVar rl = ReduceAxis(len, "l");
    Tensor t = Compute(tag, {outer, inner}, [&](const std::vector<Var>& i) {
      return Reduction(c, value(i[0], rl->var, i[1]), rl);
    }, {"outer", "inner"});
    reductions.push_back(t);
    return t;
  };
  Tensor max = reduce(Combine::kMax, "max", [&](Var o, Expr l, Var i) {
    return Read(in, {o, l, i});
  });
  auto shifted_exp = [&](Var o, Expr l, Var i) {
    return Call(Intrinsic::kExp, {Read(in, {o, l, i}) - Read(max, {o, i})});
  };
  Tensor out;
  if (kind == SoftmaxKind::kHardmax) {
    Tensor first = reduce(Combine::kMin, "first", [&](Var o, Expr l, Var i) {
      return Select(Read(in, {o, l, i}) == Read(max, {o, i}), IndexAsFloat(l),
                    Expr(static_cast<float>(len)));
    });
    out = Compute("out", {outer, len, inner}, [&](const std::vector<Var>& i) {
      return Select(IndexAsFloat(i[1]) == Read(first, {i[0], i[2]}), Expr(1.0f), Expr(0.0f));
    });
  } else {
    Tensor sum = reduce(Combine::kSum, "sum", shifted_exp);
    out = Compute("out", {outer, len, inner}, [&](const std::vector<Var>& i) {
      if (kind == SoftmaxKind::kLogSoftmax) {
        return Read(in, {i[0], i[1], i[2]}) - Read(max, {i[0], i[2]}) -
               Call(Intrinsic::kLog, {Read(sum, {i[0], i[2]})});
      }
      return shifted_exp(i[0], i[1], i[2]) * (Expr(1.0f) / Read(sum, {i[0], i[2]}));
    });
  }
  const int64_t lanes = target.vector_lanes;
  Schedule s({out});
  Stage& o = s[out];
  auto [io, ii] = o.Split(o.axis(2), lanes);
  o.Reorder({o.axis(0), io, o.axis(1), ii});
  const Axis tasks = o.Fuse(o.axis(0), io);
  o.Parallel(tasks);
  o.Vectorize(ii);
  for (const Tensor& t : reductions) {
    Stage& r = s[t];
    if (kind == SoftmaxKind::kHardmax && t == max) {
      // Only the first-maximum reduction reads it.
      Stage& first = s[reductions[1]];
      r.ComputeAt(first, first.axis(0));
    } else {
      r.ComputeAt(o, tasks);
    }
    r.Reorder({r.axis(0), r.reduce_axis(0), r.axis(1)});
    r.Vectorize(r.axis(1));
  }
  return Lower(s, {in, out}, name);
}

}  // namespace

absl::StatusOr<LoweredFunc> BuildSoftmax(SoftmaxKind kind, int64_t outer, int64_t len,
                                         int64_t inner, const targets::Target& target,
                                         const std::string& name) {
  if (outer < 1 || len < 1 || inner < 1) {
    return absl::InvalidArgumentError(absl::StrCat("softmax over [", outer, ", ", len, ", ",
                                                   inner, "]: sizes must be positive"));
  }
  if (inner == 1) return BuildRowSoftmax(kind, outer, len, target, name);
  return BuildStridedSoftmax(kind, outer, len, inner, target, name);
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

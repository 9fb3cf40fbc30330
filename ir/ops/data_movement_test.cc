#include "ir/ops/data_movement.h"

#include <cmath>
#include <limits>
#include <string>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ir/ops/reduce.h"
#include "ir/ops/testing/op_test_util.h"

namespace kiln::ir::ops {
namespace {

using testing::CompileAndRun;
using testing::ExpectAllNear;
using testing::RandomFloats;
using testing::RunnableTargets;

int64_t Product(const std::vector<int64_t>& s) {
  return std::accumulate(s.begin(), s.end(), int64_t{1}, std::multiplies<int64_t>());
}

// Row-major flat index.
int64_t Flat(const std::vector<int64_t>& idx, const std::vector<int64_t>& shape) {
  int64_t f = 0;
  for (size_t d = 0; d < shape.size(); ++d) f = f * shape[d] + idx[d];
  return f;
}

// Calls fn(multi-index) for each element of shape in order.
template <typename Fn>
void ForEach(const std::vector<int64_t>& shape, Fn fn) {
  std::vector<int64_t> idx(shape.size(), 0);
  for (int64_t n = Product(shape); n > 0; --n) {
    fn(idx);
    for (size_t d = shape.size(); d-- > 0;) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

void RunAndCheck(const absl::StatusOr<LoweredFunc>& f, std::vector<std::vector<float>>& buffers,
         const std::vector<float>& want, const std::string& what) {
  ASSERT_TRUE(f.ok()) << what << ": " << f.status();
  for (const auto& target : RunnableTargets()) {
    std::vector<float>& out = buffers.back();
    std::fill(out.begin(), out.end(), -99.0f);
    ASSERT_TRUE(CompileAndRun(*f, target, buffers).ok()) << what;
    ExpectAllNear(out, want, 0, what + " on " + target.ToString());
  }
}

TEST(DataMovementTest, TransposeAwkwardShapes) {
  const std::vector<int64_t> in_shape = {3, 5, 7};
  const std::vector<int64_t> perm = {2, 0, 1};
  const std::vector<int64_t> out_shape = {7, 3, 5};
  std::vector<std::vector<float>> buffers = {RandomFloats(105, 1),
                                             std::vector<float>(105)};
  std::vector<float> want(105);
  ForEach(out_shape, [&](const std::vector<int64_t>& o) {
    want[Flat(o, out_shape)] = buffers[0][Flat({o[1], o[2], o[0]}, in_shape)];
  });
  RunAndCheck(BuildTranspose(in_shape, perm, RunnableTargets()[0], "transpose"), buffers, want,
      "transpose");
  EXPECT_FALSE(BuildTranspose(in_shape, {0, 0, 1}, RunnableTargets()[0], "bad").ok());
}

TEST(DataMovementTest, ConcatAlongMiddleAxis) {
  const std::vector<std::vector<int64_t>> shapes = {{2, 3, 5}, {2, 1, 5}, {2, 4, 5}};
  std::vector<std::vector<float>> buffers;
  for (size_t k = 0; k < shapes.size(); ++k) buffers.push_back(RandomFloats(Product(shapes[k]), k));
  buffers.push_back(std::vector<float>(2 * 8 * 5));
  std::vector<float> want;
  for (int64_t n = 0; n < 2; ++n)
    for (size_t k = 0; k < shapes.size(); ++k)
      for (int64_t c = 0; c < shapes[k][1]; ++c)
        for (int64_t x = 0; x < 5; ++x) want.push_back(buffers[k][(n * shapes[k][1] + c) * 5 + x]);
  RunAndCheck(BuildConcat(shapes, 1, RunnableTargets()[0], "concat"), buffers, want, "concat");
}

TEST(DataMovementTest, StridedSlice) {
  const std::vector<int64_t> in_shape = {4, 11};
  std::vector<std::vector<float>> buffers = {RandomFloats(44, 3), std::vector<float>(2 * 4)};
  std::vector<float> want;
  for (int64_t r = 0; r < 2; ++r)
    for (int64_t c = 0; c < 4; ++c) want.push_back(buffers[0][(1 + 2 * r) * 11 + 10 - 3 * c]);
  RunAndCheck(BuildSlice(in_shape, {1, 10}, {2, -3}, {2, 4}, RunnableTargets()[0], "slice"), buffers,
      want, "slice");
  EXPECT_FALSE(BuildSlice(in_shape, {1, 10}, {2, 3}, {2, 4}, RunnableTargets()[0], "x").ok());
}

TEST(DataMovementTest, TileRepeatsAndBroadcastsAxes) {
  struct Case {
    std::vector<int64_t> in_shape, repeats;
  };
  const std::vector<Case> cases = {
      {{3, 1, 5}, {2, 4, 1}},  // a size-1 axis broadcast, a size-3 one repeated
      {{1, 7}, {3, 2}},
      {{9}, {1}},
      {{2, 3, 1, 17}, {1, 2, 33, 3}},  // wider than a vector, odd sizes
  };
  for (size_t k = 0; k < cases.size(); ++k) {
    const Case& c = cases[k];
    std::vector<int64_t> out_shape;
    for (size_t d = 0; d < c.in_shape.size(); ++d) {
      out_shape.push_back(c.in_shape[d] * c.repeats[d]);
    }
    std::vector<std::vector<float>> buffers = {RandomFloats(Product(c.in_shape), 20 + k),
                                               std::vector<float>(Product(out_shape))};
    std::vector<float> want;
    ForEach(out_shape, [&](const std::vector<int64_t>& o) {
      std::vector<int64_t> src = o;
      for (size_t d = 0; d < src.size(); ++d) src[d] = o[d] % c.in_shape[d];
      want.push_back(buffers[0][Flat(src, c.in_shape)]);
    });
    RunAndCheck(BuildTile(c.in_shape, c.repeats, RunnableTargets()[0], "tile"), buffers, want,
                "tile case " + std::to_string(k));
  }
  EXPECT_FALSE(BuildTile({2, 3}, {2}, RunnableTargets()[0], "bad").ok());
  EXPECT_FALSE(BuildTile({2, 3}, {2, 0}, RunnableTargets()[0], "empty").ok());
}

TEST(DataMovementTest, TriluKeepsATriangle) {
  for (const std::vector<int64_t>& shape :
       {std::vector<int64_t>{2, 3, 5}, {7, 4}, {1, 1}, {3, 1, 19}}) {
    for (bool upper : {true, false}) {
      for (int64_t k : {-2, 0, 1, 6}) {
        const int64_t rows = shape[shape.size() - 2], cols = shape.back();
        std::vector<std::vector<float>> buffers = {RandomFloats(Product(shape), 30),
                                                   std::vector<float>(Product(shape))};
        std::vector<float> want = buffers[0];
        for (size_t e = 0; e < want.size(); ++e) {
          const int64_t row = (e / cols) % rows, col = e % cols;
          const bool keep = upper ? col - row >= k : col - row <= k;
          if (!keep) want[e] = 0;
        }
        RunAndCheck(BuildTrilu(shape, upper, k, RunnableTargets()[0], "trilu"), buffers, want,
                    absl::StrCat("trilu ", shape.size(), "-D upper=", upper, " k=", k));
      }
    }
  }
  EXPECT_FALSE(BuildTrilu({5}, true, 0, RunnableTargets()[0], "bad").ok());
}

TEST(DataMovementTest, PadModes) {
  const std::vector<int64_t> in_shape = {3, 4};
  const std::vector<int64_t> pads = {1, 2, 2, 1};  // rows 1 before 2 after, cols 2 before 1 after
  for (PadMode mode : {PadMode::kConstant, PadMode::kEdge, PadMode::kReflect}) {
    std::vector<std::vector<float>> buffers = {RandomFloats(12, 4), std::vector<float>(6 * 7)};
    std::vector<float> want;
    for (int64_t r = -1; r < 5; ++r)
      for (int64_t c = -2; c < 5; ++c) {
        const bool inside = r >= 0 && r < 3 && c >= 0 && c < 4;
        int64_t rr = r, cc = c;
        if (mode == PadMode::kEdge) {
          rr = std::clamp<int64_t>(r, 0, 2);
          cc = std::clamp<int64_t>(c, 0, 3);
        } else if (mode == PadMode::kReflect) {
          rr = r < 0 ? -r : (r > 2 ? 4 - r : r);
          cc = c < 0 ? -c : (c > 3 ? 6 - c : c);
        }
        want.push_back(mode == PadMode::kConstant && !inside ? 0.5f : buffers[0][rr * 4 + cc]);
      }
    RunAndCheck(BuildPad(in_shape, pads, mode, 0.5f, RunnableTargets()[0], "pad"), buffers, want,
        "pad mode " + std::to_string(static_cast<int>(mode)));
  }
}

TEST(DataMovementTest, LayoutTransformsBetweenBlocks) {
  const std::vector<int64_t> plain = {2, 48, 3, 5};
  const auto offset = [&](int64_t block, int64_t n, int64_t c, int64_t h, int64_t w) {
    if (block == 0) return ((n * 48 + c) * 3 + h) * 5 + w;
    return (((n * (48 / block) + c / block) * 3 + h) * 5 + w) * block + c % block;
  };
  for (auto [src, dst] : std::vector<std::pair<int64_t, int64_t>>{{0, 8}, {8, 0}, {16, 8}, {6, 16}}) {
    std::vector<std::vector<float>> buffers = {RandomFloats(Product(plain), 5),
                                               std::vector<float>(Product(plain))};
    std::vector<float> want(Product(plain));
    ForEach(plain, [&](const std::vector<int64_t>& i) {
      want[offset(dst, i[0], i[1], i[2], i[3])] = buffers[0][offset(src, i[0], i[1], i[2], i[3])];
    });
    RunAndCheck(BuildLayoutTransform(plain, src, dst, RunnableTargets()[0], "layout"), buffers, want,
        "layout " + std::to_string(src) + "->" + std::to_string(dst));
  }
  EXPECT_FALSE(BuildLayoutTransform(plain, 0, 7, RunnableTargets()[0], "bad").ok());
}

// DCR: out[n, c, y, x] = in[n, ((y % rows) * columns + x % columns) * C + c,
// y / rows, x / columns], in plain NCHW and in blocks of 4 channels, which
// must agree channel for channel.
TEST(DataMovementTest, DepthToSpaceInPlainAndBlockedLayouts) {
  const int64_t n = 2, depth = 8, rows = 2, columns = 3, h = 3, w = 5;
  const std::vector<int64_t> in_plain = {n, rows * columns * depth, h, w};
  const std::vector<int64_t> out_plain = {n, depth, h * rows, w * columns};
  const std::vector<float> x = RandomFloats(Product(in_plain), 11);
  std::vector<float> want(Product(out_plain));
  ForEach(out_plain, [&](const std::vector<int64_t>& o) {
    const int64_t c = ((o[2] % rows) * columns + o[3] % columns) * depth + o[1];
    want[Flat(o, out_plain)] = x[Flat({o[0], c, o[2] / rows, o[3] / columns}, in_plain)];
  });
  // Plain [N, C, H, W] index i as NCHW[block]c, or as it is for block 0.
  const auto blocked = [](const std::vector<int64_t>& plain, int64_t block,
                          const std::vector<int64_t>& i) {
    if (block == 0) return Flat(i, plain);
    return Flat({i[0], i[1] / block, i[2], i[3], i[1] % block},
                {plain[0], plain[1] / block, plain[2], plain[3], block});
  };
  for (int64_t block : {0, 4}) {
    std::vector<std::vector<float>> buffers = {std::vector<float>(x.size()),
                                               std::vector<float>(want.size())};
    std::vector<float> want_blocked(want.size());
    ForEach(in_plain, [&](const std::vector<int64_t>& i) {
      buffers[0][blocked(in_plain, block, i)] = x[Flat(i, in_plain)];
    });
    ForEach(out_plain, [&](const std::vector<int64_t>& o) {
      want_blocked[blocked(out_plain, block, o)] = want[Flat(o, out_plain)];
    });
    std::vector<int64_t> shape = in_plain;
    if (block > 0) shape = {n, in_plain[1] / block, h, w, block};
    RunAndCheck(BuildDepthToSpace(shape, rows, columns, RunnableTargets()[0], "d2s"), buffers,
                want_blocked, absl::StrCat("depth_to_space in blocks of ", block));
  }
  EXPECT_FALSE(BuildDepthToSpace({1, 10, 2, 2}, 2, 2, RunnableTargets()[0], "bad").ok());
}

TEST(DataMovementTest, ResizeNearestAndLinear) {
  // [1, 2, 3, 4] -> [1, 2, 7, 5]: upsampling rows, downsampling columns.
  ResizeWorkload w;
  w.in_shape = {1, 2, 3, 4};
  w.out_shape = {1, 2, 7, 3};
  w.scales = {1, 1, 7.0 / 3, 3.0 / 4};
  std::vector<float> x = RandomFloats(24, 9);
  const auto source = [&](int64_t o, int64_t in, int64_t out, double scale,
                          const std::string& mode) {
    if (mode == "asymmetric") return o / scale;
    if (mode == "align_corners") return out == 1 ? 0.0 : o * (in - 1) / (in * scale - 1);
    return (o + 0.5) / scale - 0.5;
  };
  for (const char* mode : {"nearest", "linear"}) {
    for (const char* coord : {"half_pixel", "align_corners", "asymmetric"}) {
      w.mode = mode;
      w.coordinate_mode = coord;
      std::vector<float> want;
      for (int64_t c = 0; c < 2; ++c)
        for (int64_t y = 0; y < 7; ++y)
          for (int64_t z = 0; z < 3; ++z) {
            const double sy = source(y, 3, 7, w.scales[2], coord);
            const double sz = source(z, 4, 3, w.scales[3], coord);
            const auto at = [&](int64_t r, int64_t q) { return x[(c * 3 + r) * 4 + q]; };
            if (w.mode == "nearest") {
              const int64_t r = std::clamp<int64_t>(std::ceil(sy - 0.5), 0, 2);
              const int64_t q = std::clamp<int64_t>(std::ceil(sz - 0.5), 0, 3);
              want.push_back(at(r, q));
            } else {
              const double cy = std::clamp(sy, 0.0, 2.0), cz = std::clamp(sz, 0.0, 3.0);
              const int64_t y0 = std::floor(cy), z0 = std::floor(cz);
              const int64_t y1 = std::min<int64_t>(y0 + 1, 2), z1 = std::min<int64_t>(z0 + 1, 3);
              const double fy = cy - y0, fz = cz - z0;
              want.push_back(static_cast<float>(
                  (1 - fy) * ((1 - fz) * at(y0, z0) + fz * at(y0, z1)) +
                  fy * ((1 - fz) * at(y1, z0) + fz * at(y1, z1))));
            }
          }
      std::vector<std::vector<float>> buffers = {x, std::vector<float>(want.size())};
      auto f = BuildResize(w, RunnableTargets()[0], "resize");
      ASSERT_TRUE(f.ok()) << f.status();
      for (const auto& target : RunnableTargets()) {
        ASSERT_TRUE(CompileAndRun(*f, target, buffers).ok());
        ExpectAllNear(buffers.back(), want, 1e-5f, std::string(mode) + " " + coord);
      }
    }
  }
}

TEST(ReduceTest, MeanMaxSumOverAxes) {
  const std::vector<int64_t> shape = {2, 3, 5, 7, 8};
  const std::vector<bool> reduced = {false, false, true, true, false};
  for (ReduceKind kind : {ReduceKind::kSum, ReduceKind::kMean, ReduceKind::kMax, ReduceKind::kMin}) {
    std::vector<std::vector<float>> buffers = {RandomFloats(Product(shape), 6),
                                               std::vector<float>(2 * 3 * 8)};
    std::vector<float> want;
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t c = 0; c < 3; ++c)
        for (int64_t j = 0; j < 8; ++j) {
          double acc = kind == ReduceKind::kMax ? -1e30 : kind == ReduceKind::kMin ? 1e30 : 0;
          for (int64_t h = 0; h < 5; ++h)
            for (int64_t w = 0; w < 7; ++w) {
              const double v = buffers[0][Flat({n, c, h, w, j}, shape)];
              acc = kind == ReduceKind::kMax   ? std::max(acc, v)
                    : kind == ReduceKind::kMin ? std::min(acc, v)
                                               : acc + v;
            }
          want.push_back(static_cast<float>(kind == ReduceKind::kMean ? acc / 35 : acc));
        }
    auto f = BuildReduce(shape, reduced, true, kind, "reduce");
    ASSERT_TRUE(f.ok()) << f.status();
    for (const auto& target : RunnableTargets()) {
      ASSERT_TRUE(CompileAndRun(*f, target, buffers).ok());
      ExpectAllNear(buffers.back(), want, 1e-5f, "reduce");
    }
  }
  // Everything, to a scalar.
  std::vector<std::vector<float>> buffers = {RandomFloats(12, 7), std::vector<float>(1)};
  double sum = 0;
  for (float v : buffers[0]) sum += v;
  auto f = BuildReduce({3, 4}, {true, true}, false, ReduceKind::kSum, "all");
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(CompileAndRun(*f, RunnableTargets()[0], buffers).ok());
  EXPECT_NEAR(buffers[1][0], sum, 1e-5);
}

// The reduced values of `in` (row-major `shape`) per output element, outputs
// in row-major order of the unreduced axes.
std::vector<std::vector<double>> Groups(const std::vector<float>& in,
                                        const std::vector<int64_t>& shape,
                                        const std::vector<bool>& reduced) {
  std::vector<int64_t> kept;
  for (size_t d = 0; d < shape.size(); ++d) kept.push_back(reduced[d] ? 1 : shape[d]);
  std::vector<std::vector<double>> groups(Product(kept));
  ForEach(shape, [&](const std::vector<int64_t>& idx) {
    std::vector<int64_t> o = idx;
    for (size_t d = 0; d < shape.size(); ++d) {
      if (reduced[d]) o[d] = 0;
    }
    groups[Flat(o, kept)].push_back(in[Flat(idx, shape)]);
  });
  return groups;
}

// The textbook definition of each kind, in double (where exp of the inputs
// below does not overflow).
double Reference(ReduceKind kind, const std::vector<double>& v) {
  double sum = 0, abs = 0, squares = 0, exps = 0, prod = 1;
  double lo = v[0], hi = v[0];
  for (double x : v) {
    sum += x;
    abs += std::abs(x);
    squares += x * x;
    exps += std::exp(x);
    prod *= x;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  switch (kind) {
    case ReduceKind::kSum: return sum;
    case ReduceKind::kMean: return sum / v.size();
    case ReduceKind::kMax: return hi;
    case ReduceKind::kMin: return lo;
    case ReduceKind::kProd: return prod;
    case ReduceKind::kL1: return abs;
    case ReduceKind::kL2: return std::sqrt(squares);
    case ReduceKind::kSumSquare: return squares;
    case ReduceKind::kLogSum: return std::log(sum);
    case ReduceKind::kLogSumExp: return std::log(exps);
  }
  return 0;
}

TEST(ReduceTest, EveryKindOnAwkwardShapes) {
  struct Case {
    std::vector<int64_t> shape;
    std::vector<bool> reduced;
    bool keepdims;
  };
  const std::vector<Case> cases = {
      {{3, 1, 5, 2}, {false, true, true, false}, true},
      {{2, 3, 7}, {true, false, true}, false},
      {{7}, {true}, false},   // to a scalar
      {{5, 1}, {false, true}, true},  // over a size-1 axis
      {{1, 9, 3}, {true, true, true}, true},
      // Global pooling of blocked tensors: rows of the kept innermost axis
      // accumulate as one vector (16) or as a loop (12).
      {{2, 3, 5, 7, 16}, {false, false, true, true, false}, true},
      {{1, 2, 3, 4, 12}, {false, false, true, true, false}, true},
      {{6, 5, 8}, {true, false, false}, false},
  };
  for (ReduceKind kind :
       {ReduceKind::kSum, ReduceKind::kMean, ReduceKind::kMax, ReduceKind::kMin, ReduceKind::kProd,
        ReduceKind::kL1, ReduceKind::kL2, ReduceKind::kSumSquare, ReduceKind::kLogSum,
        ReduceKind::kLogSumExp}) {
    for (size_t k = 0; k < cases.size(); ++k) {
      const Case& c = cases[k];
      // The log of a sum needs a positive sum.
      const float lo = kind == ReduceKind::kLogSum ? 0.1f : -1.5f;
      std::vector<std::vector<float>> buffers = {RandomFloats(Product(c.shape), 10 + k, lo, 1.5f)};
      std::vector<float> want;
      for (const auto& g : Groups(buffers[0], c.shape, c.reduced)) {
        want.push_back(static_cast<float>(Reference(kind, g)));
      }
      buffers.push_back(std::vector<float>(want.size()));
      const std::string what = "reduce kind " + std::to_string(static_cast<int>(kind)) +
                               " case " + std::to_string(k);
      auto f = BuildReduce(c.shape, c.reduced, c.keepdims, kind, "reduce");
      ASSERT_TRUE(f.ok()) << what << ": " << f.status();
      for (const auto& target : RunnableTargets()) {
        ASSERT_TRUE(CompileAndRun(*f, target, buffers).ok()) << what;
        ExpectAllNear(buffers.back(), want, 1e-5f, what + " on " + target.ToString());
      }
    }
  }
}

TEST(ReduceTest, CumSumEveryDirection) {
  struct Case {
    std::vector<int64_t> shape;
    int64_t axis;
  };
  for (const Case& c : std::vector<Case>{{{3, 1, 7}, 2}, {{5, 4}, 0}, {{1}, 0}, {{2, 9, 3}, 1}}) {
    for (bool exclusive : {false, true}) {
      for (bool reverse : {false, true}) {
        std::vector<std::vector<float>> buffers = {RandomFloats(Product(c.shape), 40),
                                                   std::vector<float>(Product(c.shape))};
        std::vector<float> want(buffers[0].size());
        ForEach(c.shape, [&](const std::vector<int64_t>& o) {
          double sum = 0;
          std::vector<int64_t> src = o;
          for (int64_t r = 0; r < c.shape[c.axis]; ++r) {
            const int64_t j = o[c.axis];
            const bool in = reverse ? (exclusive ? r > j : r >= j) : (exclusive ? r < j : r <= j);
            src[c.axis] = r;
            if (in) sum += buffers[0][Flat(src, c.shape)];
          }
          want[Flat(o, c.shape)] = static_cast<float>(sum);
        });
        const std::string what = absl::StrCat("cumsum axis ", c.axis, " exclusive=", exclusive,
                                              " reverse=", reverse);
        auto f = BuildCumSum(c.shape, c.axis, exclusive, reverse, "cumsum");
        ASSERT_TRUE(f.ok()) << what << ": " << f.status();
        for (const auto& target : RunnableTargets()) {
          ASSERT_TRUE(CompileAndRun(*f, target, buffers).ok()) << what;
          ExpectAllNear(buffers.back(), want, 1e-5f, what + " on " + target.ToString());
        }
      }
    }
  }
  EXPECT_FALSE(BuildCumSum({2, 3}, 2, false, false, "bad").ok());
}

// exp(100) overflows float: the kernel must subtract the maximum first. An
// infinite input gives an infinite result, not NaN.
TEST(ReduceTest, LogSumExpIsStableForLargeAndInfiniteInputs) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<std::vector<float>> buffers = {
      {100.0f, 99.0f, 98.0f, -inf, -inf, -inf, 1.0f, inf, 2.0f}, std::vector<float>(3)};
  auto f = BuildReduce({3, 3}, {false, true}, false, ReduceKind::kLogSumExp, "lse");
  ASSERT_TRUE(f.ok()) << f.status();
  const double big = 100.0 + std::log(1.0 + std::exp(-1.0) + std::exp(-2.0));
  for (const auto& target : RunnableTargets()) {
    ASSERT_TRUE(CompileAndRun(*f, target, buffers).ok());
    EXPECT_NEAR(buffers[1][0], big, 1e-4);
    EXPECT_EQ(buffers[1][1], -inf);
    EXPECT_EQ(buffers[1][2], inf);
  }
}

}  // namespace
}  // namespace kiln::ir::ops

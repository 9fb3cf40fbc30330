#include "ir/lower/lower.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <utility>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/interpreter.h"
#include "ir/printer.h"
#include "ir/schedule.h"
#include "ir/tensor.h"

namespace kiln::ir {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::vector<float> Random(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

void ExpectNear(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_NEAR(got[i], want[i], 1e-4f * (1.0f + std::fabs(want[i]))) << "at " << i;
  }
}

// C[i, j] = sum_k A[i, k] * B[k, j]
struct Matmul {
  int64_t m, n, k;
  Tensor a, b, c;
  IterVar r;
  Matmul(int64_t m_, int64_t n_, int64_t k_) : m(m_), n(n_), k(k_) {
    a = Placeholder("A", {m, k});
    b = Placeholder("B", {k, n});
    r = ReduceAxis(k, "k");
    c = Compute("C", {m, n}, [&](const std::vector<Var>& i) {
      return Sum(Read(a, {i[0], r->var}) * Read(b, {r->var, i[1]}), {r});
    }, {"i", "j"});
  }
  std::vector<float> Reference(const std::vector<float>& av, const std::vector<float>& bv) const {
    std::vector<float> out(m * n, 0.0f);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t kk = 0; kk < k; ++kk)
        for (int64_t j = 0; j < n; ++j) out[i * n + j] += av[i * k + kk] * bv[kk * n + j];
    return out;
  }
  void Check(const Schedule& s) const {
    auto f = Lower(s, {a, b, c}, "matmul");
    ASSERT_TRUE(f.ok()) << f.status();
    auto av = Random(m * k, 1), bv = Random(k * n, 2);
    std::vector<float> cv(m * n, 0.0f);
    auto st = Interpret(*f, {av.data(), bv.data(), cv.data()});
    ASSERT_TRUE(st.ok()) << st << "\n" << ToString(*f);
    ExpectNear(cv, Reference(av, bv));
  }
};

TEST(LowerTest, DefaultScheduleOfMatmul) {
  Matmul mm(5, 7, 3);
  Schedule s({mm.c});
  mm.Check(s);
}

TEST(LowerTest, SplitsThatDoNotDivideAreGuarded) {
  Matmul mm(7, 13, 5);
  Schedule s({mm.c});
  Stage& st = s[mm.c];
  auto [jo, ji] = st.Split(st.axis(1), 4);
  auto [ko, ki] = st.Split(st.reduce_axis(0), 2);
  st.Reorder({st.axis(0), jo, ko, ki, ji});
  st.Vectorize(ji);
  st.Parallel(st.axis(0));
  mm.Check(s);
}

TEST(LowerTest, RegisterBlockedMatmulKeepsAccumulatorsLocal) {
  Matmul mm(6, 35, 9);
  Schedule s({mm.c});
  Tensor cache = s.CacheWrite(mm.c);
  Stage& out = s[mm.c];
  auto tiles = out.Tile(out.axis(0), out.axis(1), 3, 16);  // io, jo, ii, ji
  out.Vectorize(tiles[3]);
  Stage& acc = s[cache];
  acc.ComputeAt(out, tiles[1]);
  auto [ai, aj, ak] = std::tuple(acc.axis(0), acc.axis(1), acc.reduce_axis(0));
  acc.Reorder({ak, ai, aj});
  acc.Unroll(ai);
  acc.Vectorize(aj);
  auto f = Lower(s, {mm.a, mm.b, mm.c}, "matmul");
  ASSERT_TRUE(f.ok()) << f.status();
  const std::string text = ToString(*f);
  // A 3 x 16 accumulator tile on the stack, updated with 16-lane vectors.
  EXPECT_THAT(text, HasSubstr("allocate C.local[float32 * 3 * 16], stack"));
  EXPECT_THAT(text, HasSubstr("ramp("));
  mm.Check(s);
}

TEST(LowerTest, RandomSchedulesOfMatmulAgreeWithTheReference) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 25; ++trial) {
    Matmul mm(1 + rng() % 9, 1 + rng() % 20, 1 + rng() % 6);
    Schedule s({mm.c});
    Stage& st = s[mm.c];
    auto [io, ii] = st.Split(st.axis(0), 1 + rng() % 4);
    auto [jo, ji] = st.Split(st.axis(1), 1 + rng() % 8);
    Axis k = st.reduce_axis(0);
    const int order = rng() % 3;
    switch (order) {
      case 0: st.Reorder({io, jo, k, ii, ji}); break;
      case 1: st.Reorder({io, k, jo, ii, ji}); break;
      default: break;  // io, ii, jo, ji, k
    }
    if (rng() % 2) st.Vectorize(ji);
    if (rng() % 2) st.Unroll(ii);
    if (order == 0 && rng() % 2) {  // fuse needs io directly outside jo
      Axis fused = st.Fuse(io, jo);
      if (rng() % 2) st.Parallel(fused);
    }
    SCOPED_TRACE(trial);
    mm.Check(s);
  }
}

TEST(LowerTest, Conv2dWithInlinedPaddingAndStride) {
  const int64_t c = 3, h = 7, w = 6, oc = 4, kh = 3, kw = 3, pad = 1, stride = 2;
  const int64_t oh = (h + 2 * pad - kh) / stride + 1, ow = (w + 2 * pad - kw) / stride + 1;
  Tensor data = Placeholder("data", {1, c, h, w});
  Tensor weight = Placeholder("weight", {oc, c, kh, kw});
  Tensor padded = Compute("pad", {1, c, h + 2 * pad, w + 2 * pad},
                          [&](const std::vector<Var>& i) {
    Expr y = Expr(i[2]) - pad, x = Expr(i[3]) - pad;
    Expr inside = And(And(y >= 0, y < h), And(x >= 0, x < w));
    return Select(inside, Read(data, {i[0], i[1], Max(Min(y, h - 1), 0), Max(Min(x, w - 1), 0)}),
                  Expr(0.0f));
  });
  IterVar rc = ReduceAxis(c, "rc"), ry = ReduceAxis(kh, "ry"), rx = ReduceAxis(kw, "rx");
  Tensor conv = Compute("conv", {1, oc, oh, ow}, [&](const std::vector<Var>& i) {
    return Sum(Read(padded, {i[0], rc->var, Expr(i[2]) * stride + ry->var,
                             Expr(i[3]) * stride + rx->var}) *
                   Read(weight, {i[1], rc->var, ry->var, rx->var}),
               {rc, ry, rx});
  });
  Schedule s({conv});
  s[padded].ComputeInline();
  Stage& st = s[conv];
  auto [wo, wi] = st.Split(st.axis(3), 2);
  st.Reorder({st.axis(1), st.axis(2), wo, st.reduce_axis(0), st.reduce_axis(1),
              st.reduce_axis(2), wi});
  st.Unroll(wi);
  auto f = Lower(s, {data, weight, conv}, "conv");
  ASSERT_TRUE(f.ok()) << f.status();
  auto dv = Random(c * h * w, 3), wv = Random(oc * c * kh * kw, 4);
  std::vector<float> out(oc * oh * ow), want(oc * oh * ow, 0.0f);
  for (int64_t o = 0; o < oc; ++o)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x)
        for (int64_t ci = 0; ci < c; ++ci)
          for (int64_t dy = 0; dy < kh; ++dy)
            for (int64_t dx = 0; dx < kw; ++dx) {
              const int64_t iy = y * stride + dy - pad, ix = x * stride + dx - pad;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              want[(o * oh + y) * ow + x] +=
                  dv[(ci * h + iy) * w + ix] * wv[((o * c + ci) * kh + dy) * kw + dx];
            }
  ASSERT_TRUE(Interpret(*f, {dv.data(), wv.data(), out.data()}).ok());
  ExpectNear(out, want);
}

TEST(LowerTest, ComputeAtProducesOnlyTheNeededRegion) {
  // B = A + 1 computed per row of C = B * 2, with a 5-wide row.
  Tensor a = Placeholder("A", {4, 5});
  Tensor b = Compute("B", {4, 5}, [&](const std::vector<Var>& i) {
    return Read(a, {i[0], i[1]}) + 1.0f;
  });
  Tensor c = Compute("C", {4, 5}, [&](const std::vector<Var>& i) {
    return Read(b, {i[0], i[1]}) * 2.0f;
  });
  Schedule s({c});
  s[b].ComputeAt(s[c], s[c].axis(0));
  auto f = Lower(s, {a, c}, "chain");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_THAT(ToString(*f), HasSubstr("allocate B[float32 * 1 * 5], stack"));
  auto av = Random(20, 5);
  std::vector<float> cv(20);
  ASSERT_TRUE(Interpret(*f, {av.data(), cv.data()}).ok());
  for (int k = 0; k < 20; ++k) EXPECT_FLOAT_EQ(cv[k], (av[k] + 1.0f) * 2.0f);
}

// C[i, j] = sum over k <= i of A[i, k] * B[k, j]: the condition reads i and
// k only, so it is tested once per (i, k), outside the vector loop over j.
TEST(LowerTest, ReductionConditionsLeaveTheLoopsTheyDoNotRead) {
  const int64_t m = 5, n = 8, k = 6;
  Tensor a = Placeholder("A", {m, k});
  Tensor b = Placeholder("B", {k, n});
  IterVar r = ReduceAxis(k, "k");
  Tensor c = Compute("C", {m, n}, [&](const std::vector<Var>& i) {
    return Sum(Read(a, {i[0], r->var}) * Read(b, {r->var, i[1]}), {r}, Expr(r->var) <= i[0]);
  }, {"i", "j"});
  Schedule s({c});
  Stage& st = s[c];
  st.Reorder({st.axis(0), st.reduce_axis(0), st.axis(1)});
  st.Vectorize(st.axis(1));
  std::string hoisted;
  LowerOptions options;
  options.dump = [&](const std::string& pass, const Stmt& stmt) {
    if (pass == "hoist_conditions") hoisted = ToString(stmt);
  };
  auto f = Lower(s, {a, b, c}, "triangle", options);
  ASSERT_TRUE(f.ok()) << f.status();
  const size_t update = hoisted.find("for (k, 0, 6)");
  ASSERT_NE(update, std::string::npos) << hoisted;
  const size_t test = hoisted.find("if (", update);
  const size_t vector_loop = hoisted.find("vectorized (j", update);
  EXPECT_LT(test, vector_loop) << hoisted;
  EXPECT_EQ(hoisted.find("if (", vector_loop), std::string::npos) << hoisted;
  auto av = Random(m * k, 11), bv = Random(k * n, 12);
  std::vector<float> cv(m * n), want(m * n, 0.0f);
  ASSERT_TRUE(Interpret(*f, {av.data(), bv.data(), cv.data()}).ok());
  for (int64_t i = 0; i < m; ++i)
    for (int64_t kk = 0; kk <= i; ++kk)
      for (int64_t j = 0; j < n; ++j) want[i * n + j] += av[i * k + kk] * bv[kk * n + j];
  ExpectNear(cv, want);
}

TEST(LowerTest, LoopPartitionLeavesTheMainLoopGuardFree) {
  Tensor a = Placeholder("A", {10});
  Tensor b = Compute("B", {10}, [&](const std::vector<Var>& i) {
    return Read(a, {i[0]}) + 1.0f;
  }, {"i"});
  Schedule s({b});
  auto [o, in] = s[b].Split(s[b].axis(0), 4);
  s[b].Unroll(in);
  std::vector<std::string> passes;
  std::string partitioned;
  LowerOptions options;
  options.dump = [&](const std::string& pass, const Stmt& st) {
    passes.push_back(pass);
    if (pass == "loop_partition") partitioned = ToString(st);
  };
  auto f = Lower(s, {a, b}, "tail", options);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(passes, (std::vector<std::string>{"schedule_to_loop_nest", "simplify",
                                              "hoist_conditions", "loop_partition", "vectorize",
                                              "unroll", "simplify"}));
  // Iterations 0 and 1 of i.outer run without a check; only the tail
  // (i.outer = 2, elements 8 and 9 of 12) keeps one.
  EXPECT_THAT(partitioned, HasSubstr("for (i.outer, 0, 2)"));
  auto av = Random(10, 8);
  std::vector<float> bv(10);
  ASSERT_TRUE(Interpret(*f, {av.data(), bv.data()}).ok());
  for (int k = 0; k < 10; ++k) EXPECT_FLOAT_EQ(bv[k], av[k] + 1.0f);
}

TEST(LowerTest, MaxReductionWithVectorTail) {
  Tensor a = Placeholder("A", {3, 21});
  IterVar r = ReduceAxis(3, "r");
  Tensor m = Compute("M", {21}, [&](const std::vector<Var>& i) {
    return MaxOf(Read(a, {r->var, i[0]}), {r});
  });
  Schedule s({m});
  Stage& st = s[m];
  auto [o, in] = st.Split(st.axis(0), 8);
  st.Reorder({o, st.reduce_axis(0), in});
  st.Vectorize(in);
  auto f = Lower(s, {a, m}, "colmax");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_THAT(ToString(*f), HasSubstr(" if "));  // predicated tail
  auto av = Random(63, 6);
  std::vector<float> mv(21);
  ASSERT_TRUE(Interpret(*f, {av.data(), mv.data()}).ok());
  for (int j = 0; j < 21; ++j) {
    EXPECT_FLOAT_EQ(mv[j], std::max({av[j], av[21 + j], av[42 + j]}));
  }
}

TEST(LowerTest, PrintedLoopNestIsReadable) {
  Tensor a = Placeholder("A", {16});
  Tensor b = Compute("B", {16}, [&](const std::vector<Var>& i) {
    return Read(a, {i[0]}) * 2.0f;
  }, {"i"});
  Schedule s({b});
  auto [o, in] = s[b].Split(s[b].axis(0), 8);
  s[b].Vectorize(in);
  auto f = Lower(s, {a, b}, "scale");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(ToString(*f),
            "func scale(A: float32[16], B: float32[16]) {\n"
            "  for (i.outer, 0, 2) {\n"
            "    B[ramp((i.outer * 8), 1, 8)] = (A[ramp((i.outer * 8), 1, 8)] * x8(2f))\n"
            "  }\n"
            "}\n");
}

TEST(LowerTest, PrefetchFetchesTheNextBlockAtTheStartOfEachIteration) {
  // C = A x B with B read in 8-column vectors: at each k, prefetch the row
  // of B two k-steps ahead (2 * 16 elements), one prefetch per 64-byte line
  // of the 16-element span. The last iterations prefetch past B's end,
  // which must be harmless in the interpreter and in compiled code.
  Matmul mm(3, 16, 6);
  Schedule s({mm.c});
  Stage& st = s[mm.c];
  auto [jo, ji] = st.Split(st.axis(1), 8);
  st.Reorder({st.axis(0), jo, st.reduce_axis(0), ji});
  st.Vectorize(ji);
  st.Prefetch(mm.b, st.reduce_axis(0), 32, 16);
  auto f = Lower(s, {mm.a, mm.b, mm.c}, "matmul");
  ASSERT_TRUE(f.ok()) << f.status();
  const std::string text = ToString(*f);
  EXPECT_THAT(text, HasSubstr("for (k, 0, 6) {\n        prefetch(B[(((k * 16) + (j.outer * 8)) + 32)])"))
      << text;
  EXPECT_THAT(text, Not(HasSubstr("prefetch(B[(((k * 16) + (j.outer * 8)) + 48)])")));
  mm.Check(s);
}

TEST(LowerTest, PrefetchSpansWholeCacheLines) {
  Matmul mm(2, 40, 3);
  Schedule s({mm.c});
  Stage& st = s[mm.c];
  st.Reorder({st.axis(0), st.reduce_axis(0), st.axis(1)});
  st.Prefetch(mm.b, st.reduce_axis(0), 40, 40);  // 160 bytes: 3 lines
  auto f = Lower(s, {mm.a, mm.b, mm.c}, "matmul");
  ASSERT_TRUE(f.ok()) << f.status();
  const std::string text = ToString(*f);
  for (const char* at : {"((k * 40) + 40)", "((k * 40) + 56)", "((k * 40) + 72)"}) {
    EXPECT_THAT(text, HasSubstr(std::string("prefetch(B[") + at + "])")) << text;
  }
  EXPECT_THAT(text, Not(HasSubstr("((k * 40) + 88)")));
  mm.Check(s);
}

TEST(LowerTest, BadPrefetchesAreErrors) {
  Matmul mm(4, 16, 4);
  Tensor other = Placeholder("D", {4});
  const std::vector<std::pair<std::function<void(Stage&)>, std::string>> cases = {
      {[&](Stage& st) { st.Prefetch(other, st.reduce_axis(0), 0, 1); }, "does not read it"},
      {[&](Stage& st) { st.Prefetch(mm.b, st.reduce_axis(0), 0, 0); }, "span of at least 1"},
      {[&](Stage& st) {
         st.Vectorize(st.axis(1));
         st.Prefetch(mm.b, st.axis(1), 16, 16);
       },
       "vectorized"},
  };
  for (const auto& [apply, message] : cases) {
    Schedule s({mm.c});
    apply(s[mm.c]);
    auto f = Lower(s, {mm.a, mm.b, mm.c, other}, "bad");
    EXPECT_THAT(f.status().message(), HasSubstr(message));
  }
  Schedule s({mm.c});
  Stage& st = s[mm.c];
  Axis old = st.axis(0);
  st.Split(old, 2);
  st.Prefetch(mm.b, old, 0, 1);
  EXPECT_THAT(s.status().message(), HasSubstr("not a current loop"));
}

TEST(LowerTest, BadPrimitivesAreErrorsNotCrashes) {
  Matmul mm(4, 4, 4);
  {
    Schedule s({mm.c});
    s[mm.c].Split(s[mm.c].axis(0), 0);
    auto f = Lower(s, {mm.a, mm.b, mm.c}, "bad");
    EXPECT_THAT(f.status().message(), HasSubstr("expected a positive factor"));
  }
  {
    Schedule s({mm.c});
    Stage& st = s[mm.c];
    auto [o, i] = st.Split(st.axis(0), 2);
    st.Split(st.axis(0), 2);  // axis(0) is no longer a loop
    EXPECT_THAT(s.status().message(), HasSubstr("not a current loop"));
  }
  {
    Schedule s({mm.c});
    Stage& st = s[mm.c];
    st.Reorder({st.axis(0), st.axis(0)});
    EXPECT_THAT(s.status().message(), HasSubstr("listed twice"));
  }
  {
    Schedule s({mm.c});
    Stage& st = s[mm.c];
    st.Fuse(st.axis(0), st.reduce_axis(0));
    EXPECT_THAT(s.status().message(), HasSubstr("directly outside"));
  }
  {
    Schedule s({mm.c});
    s[mm.a].ComputeInline();  // a placeholder has no stage
    EXPECT_THAT(s.status().message(), HasSubstr("has no stage"));
  }
  {
    Schedule s({mm.c});
    auto f = Lower(s, {mm.a, mm.c}, "missing_b");
    EXPECT_THAT(f.status().message(), HasSubstr("tensor B is read"));
  }
}

// KILN_DUMP_LOWER=0 is off (any set value used to switch it on).
TEST(LowerTest, DumpsLoopNestsOnlyForATrueValue) {
  for (const char* value : {"0", "1"}) {
    Tensor x = Placeholder("x", {4});
    Tensor y = Compute("y", {4}, [&](const std::vector<Var>& i) { return Read(x, {i[0]}) + 1.0f; });
    Schedule s({y});
    setenv("KILN_DUMP_LOWER", value, 1);
    ::testing::internal::CaptureStderr();
    ASSERT_TRUE(Lower(s, {x, y}, "inc").ok());
    const std::string dump = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(dump.find("---- inc after") != std::string::npos, std::string(value) == "1")
        << value << ": " << dump;
  }
  unsetenv("KILN_DUMP_LOWER");
}

}  // namespace
}  // namespace kiln::ir

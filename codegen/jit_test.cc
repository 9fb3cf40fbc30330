#include "codegen/jit.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "codegen/object_emitter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/interpreter.h"
#include "ir/lower/lower.h"
#include "ir/printer.h"
#include "ir/schedule.h"
#include "ir/tensor.h"
#include "runtime/backend_api.h"
#include "runtime/cpu_features.h"
#include "targets/target_parser.h"

namespace kiln::codegen {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace ::kiln::ir;  // NOLINT: IR builders read better unqualified here.

targets::Target MustParse(const std::string& text) {
  auto t = targets::ParseTarget(text);
  EXPECT_TRUE(t.ok()) << t.status();
  return *t;
}

// Both x86 flavors kiln targets; AVX-512 only where the host has it.
std::vector<targets::Target> TestTargets() {
  std::vector<targets::Target> out = {MustParse("llvm -mattr=+avx,+avx2,+fma")};
  if (runtime::HostHasFeature("avx512f")) out.push_back(MustParse("llvm -mcpu=skylake-avx512"));
  return out;
}

std::vector<float> Random(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// Runs `f` compiled and interpreted on copies of the same float buffers.
void ExpectMatchesInterpreter(const LoweredFunc& f, std::vector<std::vector<float>> buffers,
                              const targets::Target& target, float tolerance = 1e-5f) {
  std::vector<std::vector<float>> expected = buffers;
  std::vector<void*> ref_args, jit_args;
  for (auto& b : expected) ref_args.push_back(b.data());
  for (auto& b : buffers) jit_args.push_back(b.data());
  ASSERT_TRUE(Interpret(f, ref_args).ok()) << ToString(f);
  auto module = JitModule::Compile({f}, target);
  ASSERT_TRUE(module.ok()) << module.status();
  auto kernel = (*module)->Lookup(f.name);
  ASSERT_TRUE(kernel.ok()) << kernel.status();
  ASSERT_EQ((*kernel)(jit_args.data()), 0);
  for (size_t k = 0; k < buffers.size(); ++k) {
    for (size_t i = 0; i < buffers[k].size(); ++i) {
      ASSERT_NEAR(buffers[k][i], expected[k][i], tolerance * (1.0f + std::fabs(expected[k][i])))
          << "buffer " << k << " element " << i << " on " << target.ToString() << "\n"
          << ToString(f);
    }
  }
}

struct Matmul {
  Tensor a, b, c;
  int64_t m, n, k;
  Matmul(int64_t m_, int64_t n_, int64_t k_) : m(m_), n(n_), k(k_) {
    a = Placeholder("A", {m, k});
    b = Placeholder("B", {k, n});
    IterVar r = ReduceAxis(k, "k");
    c = Compute("C", {m, n}, [&](const std::vector<Var>& i) {
      return Sum(Read(a, {i[0], r->var}) * Read(b, {r->var, i[1]}), {r});
    });
  }
};

TEST(JitTest, RandomMatmulSchedulesMatchTheInterpreter) {
  std::mt19937 rng(11);
  for (const targets::Target& target : TestTargets()) {
    for (int trial = 0; trial < 12; ++trial) {
      Matmul mm(1 + rng() % 9, 1 + rng() % 40, 1 + rng() % 7);
      Schedule s({mm.c});
      Stage& st = s[mm.c];
      auto [io, ii] = st.Split(st.axis(0), 1 + rng() % 4);
      auto [jo, ji] = st.Split(st.axis(1), std::vector<int64_t>{3, 4, 8, 16, 17}[rng() % 5]);
      st.Reorder({io, jo, st.reduce_axis(0), ii, ji});
      st.Vectorize(ji);
      if (rng() % 2) st.Unroll(ii);
      Axis fused = st.Fuse(io, jo);
      if (rng() % 2) st.Parallel(fused);
      auto f = Lower(s, {mm.a, mm.b, mm.c}, "mm");
      ASSERT_TRUE(f.ok()) << f.status();
      SCOPED_TRACE(trial);
      ExpectMatchesInterpreter(*f,
                               {Random(mm.m * mm.k, trial), Random(mm.k * mm.n, trial + 100),
                                std::vector<float>(mm.m * mm.n, 0.0f)},
                               target);
    }
  }
}

// C = A x B in register tiles of `rows` x one vector: the accumulators of a
// tile live across the whole k loop. With `prefetch_ahead` > 0 every k step
// also prefetches the vector of B that many rows ahead.
absl::StatusOr<LoweredFunc> LowerRegisterTiled(const Matmul& mm, int64_t rows, int lanes,
                                               int64_t prefetch_ahead, const std::string& name) {
  Schedule s({mm.c});
  Tensor cache = s.CacheWrite(mm.c);
  Stage& out = s[mm.c];
  auto tiles = out.Tile(out.axis(0), out.axis(1), rows, lanes);
  out.Vectorize(tiles[3]);
  Stage& acc = s[cache];
  acc.ComputeAt(out, tiles[1]);
  acc.Reorder({acc.reduce_axis(0), acc.axis(0), acc.axis(1)});
  acc.Unroll(acc.axis(0));
  acc.Vectorize(acc.axis(1));
  if (prefetch_ahead > 0) acc.Prefetch(mm.b, acc.reduce_axis(0), prefetch_ahead * mm.n, lanes);
  return Lower(s, {mm.a, mm.b, mm.c}, name);
}

TEST(JitTest, RegisterTileStaysInRegisters) {
  for (const targets::Target& target : TestTargets()) {
    const int lanes = target.vector_lanes;
    Matmul mm(8, 4 * lanes, 32);
    auto f = LowerRegisterTiled(mm, 4, lanes, 0, "tile");
    ASSERT_TRUE(f.ok()) << f.status();
    auto module = JitModule::Compile({*f}, target);
    ASSERT_TRUE(module.ok()) << module.status();
    // SROA promoted the 4 x lanes accumulator array to vector registers.
    EXPECT_THAT((*module)->llvm_ir(), Not(HasSubstr("alloca")));
    // Vector multiply-adds the backend may fuse into FMA instructions.
    EXPECT_THAT((*module)->llvm_ir(), HasSubstr("fmul contract <"));
    ExpectMatchesInterpreter(*f,
                             {Random(mm.m * mm.k, 1), Random(mm.k * mm.n, 2),
                              std::vector<float>(mm.m * mm.n, 0.0f)},
                             target);
  }
}

TEST(JitTest, PrefetchesBecomeCpuPrefetchesAndChangeNoResult) {
  // The register tile above, prefetching B one k-step ahead: the last step
  // prefetches past B's end, which a prefetch must survive.
  for (const targets::Target& target : TestTargets()) {
    const int lanes = target.vector_lanes;
    Matmul mm(4, 2 * lanes, 5);
    auto f = LowerRegisterTiled(mm, 2, lanes, 1, "prefetching");
    ASSERT_TRUE(f.ok()) << f.status();
    auto module = JitModule::Compile({*f}, target);
    ASSERT_TRUE(module.ok()) << module.status();
    EXPECT_THAT((*module)->llvm_ir(), HasSubstr("@llvm.prefetch"));
    ExpectMatchesInterpreter(*f,
                             {Random(mm.m * mm.k, 3), Random(mm.k * mm.n, 4),
                              std::vector<float>(mm.m * mm.n, 0.0f)},
                             target);
  }
}

TEST(JitTest, IntegerSemanticsMatchTheInterpreter) {
  Buffer out = MakeBuffer("out", DataType::Int64(), {Expr(6)});
  Var a("a"), b("b");
  Stmt body = LetStmt(
      a, Expr(-7),
      LetStmt(b, Expr(3),
              Seq({Store(out, Expr(a) / b, Expr(0)), Store(out, FloorDiv(a, b), Expr(1)),
                   Store(out, FloorMod(a, b), Expr(2)), Store(out, FloorDiv(a, 4), Expr(3)),
                   Store(out, FloorMod(a, 4), Expr(4)),
                   Store(out, Select(Expr(a) < b, Min(a, b), Max(a, b)), Expr(5))})));
  LoweredFunc f{"ints", {out}, body};
  std::vector<int64_t> want(6), got(6);
  ASSERT_TRUE(Interpret(f, {want.data()}).ok());
  auto module = JitModule::Compile({f}, TestTargets()[0]);
  ASSERT_TRUE(module.ok()) << module.status();
  void* args[] = {got.data()};
  ASSERT_EQ((*(*module)->Lookup("ints"))(args), 0);
  EXPECT_EQ(got, want);
  EXPECT_EQ(got, (std::vector<int64_t>{-2, -3, 2, -2, 1, -7}));
}

TEST(JitTest, IntrinsicsAgreeWithLibm) {
  const int n = 37;  // a vector body and a predicated tail
  for (Intrinsic op : {Intrinsic::kExp, Intrinsic::kLog, Intrinsic::kSqrt, Intrinsic::kTanh,
                       Intrinsic::kSigmoid, Intrinsic::kErf, Intrinsic::kAbs, Intrinsic::kFloor,
                       Intrinsic::kCeil, Intrinsic::kRound, Intrinsic::kSin, Intrinsic::kCos,
                       Intrinsic::kTan, Intrinsic::kAsin, Intrinsic::kAcos, Intrinsic::kAtan,
                       Intrinsic::kSinh, Intrinsic::kCosh, Intrinsic::kAsinh, Intrinsic::kAcosh,
                       Intrinsic::kAtanh, Intrinsic::kFmod}) {
    Tensor x = Placeholder("x", {n});
    Tensor y = Compute("y", {n}, [&](const std::vector<Var>& i) {
      Expr v = Read(x, {i[0]});
      // Inside each function's domain: x in (-2, 2) becomes (0.1, 2.1),
      // (-0.98, 0.98) or (1, 3).
      if (op == Intrinsic::kLog || op == Intrinsic::kSqrt) v = Call(Intrinsic::kAbs, {v}) + 0.1f;
      if (op == Intrinsic::kAsin || op == Intrinsic::kAcos || op == Intrinsic::kAtanh) {
        v = v * 0.49f;
      }
      if (op == Intrinsic::kAcosh) v = Call(Intrinsic::kAbs, {v}) + 1.0f;
      if (op == Intrinsic::kFmod) return Call(op, {v * 3.0f, Expr(-1.25f)});
      return Call(op, {v});
    });
    Schedule s({y});
    auto [o, in] = s[y].Split(s[y].axis(0), 16);
    s[y].Vectorize(in);
    auto f = Lower(s, {x, y}, "intrinsic");
    ASSERT_TRUE(f.ok()) << f.status();
    SCOPED_TRACE(IntrinsicName(op));
    for (const targets::Target& target : TestTargets()) {
      ExpectMatchesInterpreter(*f, {Random(n, 5), std::vector<float>(n, 0.0f)}, target, 2e-6f);
    }
  }
}

TEST(JitTest, VectorExpCoversTheWholeFloatRange) {
  // Huge, tiny, negative, zero, infinities and NaN, in a 16-lane vector body.
  std::vector<float> xs = {0.0f, -0.0f, 1e-7f, -1e-7f, 0.5f, -0.5f, 1.0f, 10.0f, -10.0f,
                           50.0f, -50.0f, 88.0f, -87.0f, 88.5f, -88.0f, -100.0f,
                           INFINITY, -INFINITY, NAN, 3.3f, -7.7f, 20.25f, -0.3466f, 0.6931f};
  for (float v = -80.0f; v <= 80.0f; v += 0.37f) xs.push_back(v);
  const int64_t n = xs.size();
  Tensor x = Placeholder("x", {n});
  Tensor y = Compute("y", {n}, [&](const std::vector<Var>& i) {
    return Call(Intrinsic::kExp, {Read(x, {i[0]})});
  });
  Schedule s({y});
  auto [o, in] = s[y].Split(s[y].axis(0), 16);
  s[y].Vectorize(in);
  auto f = Lower(s, {x, y}, "vexp");
  ASSERT_TRUE(f.ok()) << f.status();
  auto module = JitModule::Compile({*f}, TestTargets()[0]);
  ASSERT_TRUE(module.ok()) << module.status();
  std::vector<float> ys(n);
  void* args[] = {xs.data(), ys.data()};
  ASSERT_EQ((*(*module)->Lookup("vexp"))(args), 0);
  for (int64_t k = 0; k < n; ++k) {
    const float want = std::exp(xs[k]);
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(ys[k])) << xs[k];
    } else if (std::isinf(want) || want < 1.2e-38f) {
      EXPECT_EQ(ys[k], want < 1.2e-38f ? 0.0f : want) << xs[k];
    } else {
      EXPECT_NEAR(ys[k], want, 3e-7f * want) << "exp(" << xs[k] << ")";
    }
  }
}

TEST(JitTest, VectorTanhAndErfAcrossTheirRange) {
  std::vector<float> xs = {0.0f, -0.0f, 1e-7f, -3e-4f, 5e-4f, 20.0f, -20.0f, 1e30f, -1e30f,
                           INFINITY, -INFINITY, NAN};
  for (float v = -9.0f; v <= 9.0f; v += 0.0137f) xs.push_back(v);
  for (float v = -4.5f; v <= 4.5f; v += 0.00097f) xs.push_back(v);
  for (float v = 1e-30f; v < 1.0f; v *= 1.37f) xs.push_back(v);
  const int64_t n = xs.size();
  for (Intrinsic op : {Intrinsic::kTanh, Intrinsic::kErf}) {
    Tensor x = Placeholder("x", {n});
    Tensor y = Compute("y", {n}, [&](const std::vector<Var>& i) {
      return Call(op, {Read(x, {i[0]})});
    });
    Schedule s({y});
    auto [o, in] = s[y].Split(s[y].axis(0), 8);
    s[y].Vectorize(in);
    auto f = Lower(s, {x, y}, "v");
    ASSERT_TRUE(f.ok()) << f.status();
    auto module = JitModule::Compile({*f}, TestTargets()[0]);
    ASSERT_TRUE(module.ok()) << module.status();
    std::vector<float> ys(n);
    void* args[] = {xs.data(), ys.data()};
    ASSERT_EQ((*(*module)->Lookup("v"))(args), 0);
    for (int64_t k = 0; k < n; ++k) {
      const double want = op == Intrinsic::kTanh ? std::tanh(double{xs[k]}) : std::erf(double{xs[k]});
      if (std::isnan(want)) {
        EXPECT_TRUE(std::isnan(ys[k])) << xs[k];
      } else {
        // Both within a few ulp, relative, near 0 too.
        EXPECT_NEAR(ys[k], want, (op == Intrinsic::kTanh ? 4e-7 : 6e-7) * std::fabs(want))
            << IntrinsicName(op) << "(" << xs[k] << ")";
        EXPECT_LE(std::fabs(ys[k]), 1.0f) << IntrinsicName(op) << "(" << xs[k] << ")";
      }
    }
  }
}

TEST(JitTest, TheSameFunctionCompilesToTheSameBytes) {
  // A parallel loop inside a serial one: its closure carries the outer
  // variable and seven buffers. Each build makes new IR nodes, whose
  // addresses ordered the closure's fields before.
  auto build = [] {
    std::vector<Tensor> inputs;
    for (int k = 0; k < 6; ++k) inputs.push_back(Placeholder("in" + std::to_string(k), {8, 64}));
    Tensor y = Compute("y", {8, 64}, [&](const std::vector<Var>& i) {
      Expr sum = Read(inputs[0], {i[0], i[1]});
      for (int k = 1; k < 6; ++k) sum = sum + Read(inputs[k], {i[0], i[1]}) * Expr(float(k));
      return sum;
    });
    Schedule s({y});
    s[y].Parallel(s[y].axis(1));
    inputs.push_back(y);
    return Lower(s, inputs, "sum6");
  };
  auto first = build();
  auto second = build();
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  auto a = EmitObject({*first}, TestTargets()[0]);
  auto b = EmitObject({*second}, TestTargets()[0]);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_TRUE(*a == *b) << "two builds of one function differ";
}

TEST(JitTest, HeapAllocationAndParallelReduction) {
  // A root-level intermediate (heap) feeding a parallel output.
  Tensor x = Placeholder("x", {64, 33});
  Tensor sq = Compute("sq", {64, 33}, [&](const std::vector<Var>& i) {
    return Read(x, {i[0], i[1]}) * Read(x, {i[0], i[1]});
  });
  IterVar r = ReduceAxis(33, "r");
  Tensor total = Compute("total", {64}, [&](const std::vector<Var>& i) {
    return Sum(Read(sq, {i[0], r->var}), {r});
  });
  Schedule s({total});
  s[total].Parallel(s[total].axis(0));
  s[sq].Parallel(s[sq].axis(0));
  auto f = Lower(s, {x, total}, "rownorm");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_THAT(ToString(*f), HasSubstr("heap"));
  ExpectMatchesInterpreter(*f, {Random(64 * 33, 9), std::vector<float>(64, 0.0f)},
                           TestTargets()[0]);
}

TEST(JitTest, CodeForMissingCpuFeaturesIsRefused) {
  if (runtime::HostHasFeature("avx512fp16")) GTEST_SKIP() << "host has avx512fp16";
  Buffer out = MakeBuffer("out", DataType::Float32(), {Expr(1)});
  LoweredFunc f{"one", {out}, Store(out, 1.0f, Expr(0))};
  auto module = JitModule::Compile({f}, MustParse("llvm -mcpu=skylake-avx512 -mattr=+avx512fp16"));
  ASSERT_FALSE(module.ok());
  EXPECT_THAT(module.status().message(), HasSubstr("avx512fp16"));
}

TEST(JitTest, TensorLevelNodesAreAnErrorNotACrash) {
  Tensor x = Placeholder("x", {4});
  Buffer out = MakeBuffer("out", DataType::Float32(), {Expr(1)});
  LoweredFunc f{"bad", {out}, Store(out, Read(x, {Expr(0)}), Expr(0))};
  auto module = JitModule::Compile({f}, TestTargets()[0]);
  ASSERT_FALSE(module.ok());
  EXPECT_THAT(module.status().message(), HasSubstr("tensor-level"));
}

TEST(ObjectEmitterTest, SharedLibraryRunsLikeTheJit) {
  Tensor x = Placeholder("x", {100});
  Tensor y = Compute("y", {100}, [&](const std::vector<Var>& i) {
    return Read(x, {i[0]}) * 3.0f + 1.0f;
  });
  Schedule s({y});
  auto [o, in] = s[y].Split(s[y].axis(0), 8);
  s[y].Vectorize(in);
  s[y].Parallel(o);
  auto f = Lower(s, {x, y}, "affine");
  ASSERT_TRUE(f.ok());
  auto object = EmitObject({*f}, TestTargets()[0]);
  ASSERT_TRUE(object.ok()) << object.status();
  const std::string dir = ::testing::TempDir();
  const std::string obj_path = dir + "/affine.o", so_path = dir + "/affine.so";
  std::ofstream(obj_path, std::ios::binary) << *object;
  ASSERT_TRUE(LinkSharedLibrary({obj_path}, so_path).ok());
  void* handle = dlopen(so_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  *static_cast<void**>(dlsym(handle, KILN_PARALLEL_LAUNCH_SYMBOL)) =
      reinterpret_cast<void*>(&KilnBackendParallelLaunch);
  const char* features = static_cast<const char*>(dlsym(handle, KILN_REQUIRED_FEATURES_SYMBOL));
  ASSERT_NE(features, nullptr);
  EXPECT_THAT(std::string(features), HasSubstr("avx2"));
  auto kernel = reinterpret_cast<KernelFunction>(dlsym(handle, "affine"));
  ASSERT_NE(kernel, nullptr);
  std::vector<float> xs = Random(100, 3), ys(100);
  void* args[] = {xs.data(), ys.data()};
  ASSERT_EQ(kernel(args), 0);
  for (int i = 0; i < 100; ++i) EXPECT_FLOAT_EQ(ys[i], xs[i] * 3.0f + 1.0f);
  dlclose(handle);
  EXPECT_FALSE(LinkSharedLibrary({dir + "/missing.o"}, dir + "/x.so").ok());
}

// KILN_DUMP_LLVM prints the optimized IR for `kiln compile` (object code)
// as well as for tuning (the JIT), and 0 means off.
TEST(ObjectEmitterTest, DumpLlvmOnlyForATrueValueOnBothPaths) {
  Buffer out = MakeBuffer("out", DataType::Float32(), {Expr(1)});
  LoweredFunc f{"dumped_one", {out}, Store(out, 1.0f, Expr(0))};
  for (const char* value : {"1", "0"}) {
    setenv("KILN_DUMP_LLVM", value, 1);
    ::testing::internal::CaptureStderr();
    ASSERT_TRUE(EmitObject({f}, TestTargets()[0]).ok());
    const std::string object_dump = ::testing::internal::GetCapturedStderr();
    ::testing::internal::CaptureStderr();
    ASSERT_TRUE(JitModule::Compile({f}, TestTargets()[0]).ok());
    const std::string jit_dump = ::testing::internal::GetCapturedStderr();
    const bool on = std::string(value) == "1";
    EXPECT_EQ(object_dump.find("define") != std::string::npos, on) << value << object_dump;
    EXPECT_EQ(jit_dump.find("define") != std::string::npos, on) << value << jit_dump;
  }
  unsetenv("KILN_DUMP_LLVM");
}

}  // namespace
}  // namespace kiln::codegen

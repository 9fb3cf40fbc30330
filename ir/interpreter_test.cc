#include "ir/interpreter.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kiln::ir {
namespace {

using ::testing::HasSubstr;

TEST(InterpreterTest, ScalarLoopComputesAxpy) {
  Buffer x = MakeBuffer("x", DataType::Float32(), {Expr(5)});
  Buffer y = MakeBuffer("y", DataType::Float32(), {Expr(5)});
  Var i("i");
  LoweredFunc f{"axpy", {x, y},
                For(i, 0, 5, ForKind::kSerial,
                    Store(y, Load(x, i) * 2.0f + Load(y, i), i))};
  std::vector<float> xs = {1, 2, 3, 4, 5}, ys = {10, 20, 30, 40, 50};
  ASSERT_TRUE(Interpret(f, {xs.data(), ys.data()}).ok());
  EXPECT_EQ(ys, (std::vector<float>{12, 24, 36, 48, 60}));
}

TEST(InterpreterTest, PredicatedVectorTailTouchesOnlyValidLanes) {
  Buffer a = MakeBuffer("a", DataType::Float32(), {Expr(11)});
  Buffer b = MakeBuffer("b", DataType::Float32(), {Expr(11)});
  Var o("o");
  Expr idx = Ramp(Expr(o) * 8, 1, 8);
  Expr pred = idx < Broadcast(Expr(11), 8);
  LoweredFunc f{"neg", {a, b},
                For(o, 0, 2, ForKind::kSerial,
                    Store(b, -Load(a, idx, pred), idx, pred))};
  std::vector<float> as(11), bs(11, 0.0f);
  for (int k = 0; k < 11; ++k) as[k] = k;
  ASSERT_TRUE(Interpret(f, {as.data(), bs.data()}).ok());
  for (int k = 0; k < 11; ++k) EXPECT_EQ(bs[k], -k);
}

TEST(InterpreterTest, OutOfBoundsAccessIsAnError) {
  Buffer a = MakeBuffer("a", DataType::Float32(), {Expr(4)});
  Var i("i");
  LoweredFunc f{"bad", {a}, For(i, 0, 5, ForKind::kSerial, Store(a, 1.0f, i))};
  std::vector<float> as(4);
  absl::Status s = Interpret(f, {as.data()});
  EXPECT_EQ(s.code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(s.message(), HasSubstr("a[4] outside its 4 elements"));
}

TEST(InterpreterTest, IntegerDivisionSemantics) {
  Buffer out = MakeBuffer("out", DataType::Int32(), {Expr(3)});
  Var a("a", DataType::Int32());
  Stmt body = LetStmt(a, IntImm(DataType::Int32(), -7),
                      Seq({Store(out, Expr(a) / 2, Expr(0)),
                           Store(out, FloorDiv(a, 2), Expr(1)),
                           Store(out, FloorMod(a, 2), Expr(2))}));
  LoweredFunc f{"div", {out}, body};
  std::vector<int32_t> outs(3);
  ASSERT_TRUE(Interpret(f, {outs.data()}).ok());
  EXPECT_EQ(outs, (std::vector<int32_t>{-3, -4, 1}));
}

TEST(InterpreterTest, LocalAllocationAndIntrinsics) {
  Buffer in = MakeBuffer("in", DataType::Float32(), {Expr(4)});
  Buffer out = MakeBuffer("out", DataType::Float32(), {Expr(4)});
  Buffer tmp = MakeBuffer("tmp", DataType::Float32(), {Expr(4)}, MemoryScope::kStack);
  Var i("i"), j("j");
  Stmt body = Allocate(
      tmp, Seq({For(i, 0, 4, ForKind::kUnrolled,
                    Store(tmp, Call(Intrinsic::kExp, {Load(in, i)}), i)),
                For(j, 0, 4, ForKind::kParallel,
                    Store(out, Call(Intrinsic::kRound, {Load(tmp, j)}), j))}));
  LoweredFunc f{"f", {in, out}, body};
  std::vector<float> ins = {0.0f, 1.0f, 2.0f, std::log(2.5f)}, outs(4);
  ASSERT_TRUE(Interpret(f, {ins.data(), outs.data()}).ok());
  EXPECT_EQ(outs, (std::vector<float>{1, 3, 7, 2}));  // round(2.5) = 2, half to even
}

TEST(InterpreterTest, TensorLevelNodesAreRejected) {
  Buffer out = MakeBuffer("out", DataType::Float32(), {Expr(1)});
  IterVar k = MakeIterVar("k", 0, 3, IterVarKind::kReduce);
  LoweredFunc f{"f", {out}, Store(out, Reduce(ReduceOp::kSum, 1.0f, {k}), Expr(0))};
  std::vector<float> outs(1);
  EXPECT_THAT(Interpret(f, {outs.data()}).message(), HasSubstr("tensor-level expression"));
}

}  // namespace
}  // namespace kiln::ir

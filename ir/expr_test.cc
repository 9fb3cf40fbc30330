#include <cmath>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/functor.h"
#include "ir/printer.h"
#include "ir/stmt.h"
#include "ir/tensor.h"

namespace kiln::ir {
namespace {

using ::testing::HasSubstr;

TEST(ExprTest, LiteralsAdoptTheOtherOperandsType) {
  Var i("i", DataType::Int32());
  Var x("x", DataType::Float32());
  EXPECT_EQ((Expr(i) * 4).dtype(), DataType::Int32());
  EXPECT_EQ((Expr(x) * 2).dtype(), DataType::Float32());
  EXPECT_EQ((Expr(x) + 1.0).dtype(), DataType::Float32());
  EXPECT_EQ((Expr(i) < 3).dtype(), DataType::Bool());
}

TEST(ExprTest, ScalarsBroadcastAgainstVectors) {
  Expr v = Ramp(Expr(0), 1, 8);
  Expr sum = v + 5;
  EXPECT_EQ(sum.dtype(), DataType::Int64(8));
  const auto* add = sum.as<BinaryNode>();
  ASSERT_NE(add, nullptr);
  EXPECT_NE(add->b.as<BroadcastNode>(), nullptr);
}

TEST(ExprTest, ConstantsFold) {
  EXPECT_EQ(*AsConstInt(Expr(6) * 7 + 0), 42);
  EXPECT_EQ(*AsConstInt(FloorDiv(-7, 2)), -4);
  EXPECT_EQ(*AsConstInt(FloorMod(-7, 2)), 1);
  EXPECT_EQ(*AsConstInt(Expr(-7) / 2), -3);  // truncating, as C
  EXPECT_EQ(*AsConstInt(FloorMod(7, -2)), -1);
  Var i("i");
  EXPECT_TRUE((Expr(i) + 0).same_as(i));
  EXPECT_TRUE((Expr(i) * 1).same_as(i));
  EXPECT_EQ(*AsConstInt(Expr(i) * 0), 0);
  // The node lives as long as the expression that holds it.
  const Expr product = Expr(1.5f) * 2;
  const auto* f = product.as<FloatImmNode>();
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->value, 3.0);
}

TEST(ExprTest, FloatIdentitiesAreNotFolded) {
  // x * 0 is nan for x = inf, so it must stay.
  Var x("x", DataType::Float32());
  EXPECT_EQ((Expr(x) * 0).kind(), ExprKind::kBinary);
}

TEST(ExprTest, SelectWithConstantConditionPicksABranch) {
  Var i("i");
  EXPECT_TRUE(Select(Expr(1) < 2, i, 5).same_as(i));
}

TEST(ExprTest, MismatchedTypesAreProgrammingErrors) {
  Var i("i", DataType::Int32());
  Var x("x", DataType::Float32());
  EXPECT_DEATH(Expr(i) + Expr(x), "operand types differ: int32 vs float32");
}

TEST(ExprTest, SubstituteReplacesOnlyTheMappedVariable) {
  Var i("i"), j("j");
  Expr e = Expr(i) * 4 + j;
  Expr replaced = Substitute(e, {{i.get(), Expr(3)}});
  EXPECT_EQ(ToString(replaced), "(12 + j)");
  EXPECT_TRUE(UsesVar(e, i.get()));
  EXPECT_FALSE(UsesVar(replaced, i.get()));
}

TEST(PrinterTest, PrintsALoweredFunctionReadably) {
  Buffer a = MakeBuffer("A", DataType::Float32(), {Expr(16)});
  Buffer c = MakeBuffer("C", DataType::Float32(), {Expr(16)});
  Var i("i");
  Var i2("i");  // same name, different variable
  Stmt body = For(i, 0, 2, ForKind::kParallel,
                  For(i2, 0, 8, ForKind::kSerial,
                      Store(c, Load(a, Expr(i) * 8 + i2) + 1.0f, Expr(i) * 8 + i2)));
  LoweredFunc f{"add_one", {a, c}, body};
  EXPECT_EQ(ToString(f),
            "func add_one(A: float32[16], C: float32[16]) {\n"
            "  parallel (i, 0, 2) {\n"
            "    for (i_1, 0, 8) {\n"
            "      C[((i * 8) + i_1)] = (A[((i * 8) + i_1)] + 1f)\n"
            "    }\n"
            "  }\n"
            "}\n");
}

TEST(PrinterTest, PrintsVectorsPredicatesAndIntrinsics) {
  Buffer a = MakeBuffer("A", DataType::Float32(), {Expr(20)});
  Expr idx = Ramp(Expr(16), 1, 8);
  Expr pred = idx < Broadcast(Expr(20), 8);
  Expr load = Load(a, idx, pred);
  EXPECT_EQ(ToString(Call(Intrinsic::kExp, {load})),
            "exp(A[ramp(16, 1, 8) if (ramp(16, 1, 8) < x8(20))])");
}

TEST(TensorTest, ComputeRecordsAxesAndInputs) {
  Tensor a = Placeholder("A", {4, 5});
  IterVar k = ReduceAxis(5, "k");
  Tensor row_sum = Compute("row_sum", {4}, [&](const std::vector<Var>& i) {
    return Sum(Read(a, {i[0], k->var}), {k});
  });
  EXPECT_EQ(row_sum->dtype, DataType::Float32());
  ASSERT_EQ(InputTensors(row_sum).size(), 1u);
  EXPECT_EQ(InputTensors(row_sum)[0], a);
  EXPECT_THAT(ToString(row_sum->body), HasSubstr("sum(A(i0, k), axes=[k in [0, +5)])"));
}

// Constants hold their type's values (WrapInt) and fold as kernels compute:
// wrapping, unsigned where the type is, never dividing by zero.
TEST(ExprTest, TypedConstantsWrapAndFoldByTheirSignedness) {
  const DataType u8(ScalarType::kUInt8), i8(ScalarType::kInt8), u32(ScalarType::kUInt32);
  EXPECT_EQ(*AsConstInt(IntImm(u8, -1)), 255);
  EXPECT_EQ(*AsConstInt(IntImm(i8, 200)), -56);
  EXPECT_EQ(*AsConstInt(IntImm(u8, 200) + IntImm(u8, 100)), 44);
  EXPECT_EQ(*AsConstInt(IntImm(u32, 4294967295) / IntImm(u32, 2)), 2147483647);
  EXPECT_EQ(*AsConstInt(IntImm(u32, 4294967295) > IntImm(u32, 1)), 1);
  EXPECT_EQ(*AsConstInt(IntImm(i8, -7) / IntImm(i8, 2)), -3);
  EXPECT_EQ(*AsConstInt(Max(IntImm(u8, 255), IntImm(u8, 1))), 255);
  EXPECT_EQ(AsConstInt(IntImm(i8, 5) / IntImm(i8, 0)), nullptr);  // left to the kernel
  EXPECT_EQ(*AsConstInt(ShiftLeft(IntImm(u8, 255), IntImm(u8, 1))), 254);
  EXPECT_EQ(*AsConstInt(ShiftRight(IntImm(u8, 255), IntImm(u8, 9))), 0);
  EXPECT_EQ(*AsConstInt(ShiftRight(IntImm(i8, -128), IntImm(i8, 100))), -1);
  EXPECT_EQ(*AsConstInt(Cast(DataType::Int64(), IntImm(u8, 255))), 255);
  EXPECT_EQ(*AsConstInt(Cast(i8, IntImm(DataType::Int32(), 300))), 44);
}

TEST(ExprTest, ConstantOfSaturatesIntegersAndKeepsFloat64) {
  const DataType u8(ScalarType::kUInt8), i16(ScalarType::kInt16), u64(ScalarType::kUInt64);
  EXPECT_EQ(*AsConstInt(ConstantOf(u8, -1)), 0);
  EXPECT_EQ(*AsConstInt(ConstantOf(u8, 300.5)), 255);
  EXPECT_EQ(*AsConstInt(ConstantOf(i16, -1e9)), -32768);
  EXPECT_EQ(*AsConstInt(ConstantOf(i16, -2.9)), -2);
  EXPECT_EQ(*AsConstInt(ConstantOf(u64, 1e30)), -1);  // all bits set
  EXPECT_EQ(*AsConstInt(ConstantOf(DataType::Int64(), NAN)), 0);
  EXPECT_EQ(ConstantOf(DataType::Float64(), 0.1).as<FloatImmNode>()->value, 0.1);
  EXPECT_EQ(ConstantOf(DataType::Float32(), 0.1).as<FloatImmNode>()->value, 0.1f);
  // Half floats are storage: their constants are casts codegen converts.
  EXPECT_EQ(ConstantOf(DataType(ScalarType::kFloat16), 1).kind(), ExprKind::kCast);
  EXPECT_EQ(ToString(IntImm(u8, 7)), "7:uint8");
}

}  // namespace
}  // namespace kiln::ir

#include "ir/ops/lowering_registry.h"

#include "gtest/gtest.h"
#include "ir/graph/op_registry.h"
#include "ir/ops/elementwise_exprs.h"

namespace kiln::ir::ops {
namespace {

TEST(LoweringRegistryTest, EveryLoweringIsOfAGraphOperator) {
  ASSERT_TRUE(LoweringRegistry().status().ok()) << LoweringRegistry().status();
  for (const std::string& op : LoweringRegistry().Names()) {
    EXPECT_TRUE(graph::OpRegistry().Find(op).ok()) << op;
  }
}

TEST(LoweringRegistryTest, ExpressionsBelongToElementwiseOperators) {
  ASSERT_TRUE(ElementwiseExprRegistry().status().ok()) << ElementwiseExprRegistry().status();
  for (const std::string& op : ElementwiseExprRegistry().Names()) {
    EXPECT_TRUE(IsFusableElementwise(op)) << op << " has an expression but another pattern";
    EXPECT_TRUE(FindLowering(op).ok()) << op;
  }
}

TEST(LoweringRegistryTest, ElementwiseOperatorsLowerAsOneStepChains) {
  EXPECT_TRUE(IsFusableElementwise("add"));
  EXPECT_TRUE(IsFusableElementwise("relu"));
  EXPECT_TRUE(IsFusableElementwise("equal"));  // a bool result
  EXPECT_FALSE(IsFusableElementwise("conv"));
  EXPECT_TRUE(FindLowering("relu").ok());
  // reshape has no kernel (the executor copies its bytes) and is not
  // elementwise.
  EXPECT_EQ(FindLowering("reshape").status().code(), absl::StatusCode::kNotFound);
}

NodeShapes Typed(std::vector<DataType> in, std::vector<DataType> out) {
  NodeShapes s;
  s.in.assign(in.size(), {2});
  s.out.assign(out.size(), {2});
  s.in_types = std::move(in);
  s.out_types = std::move(out);
  return s;
}

// Each lowering declares its types beside its registration; a plain
// function registers as float32 only.
TEST(LoweringRegistryTest, LoweringsDeclareTheirTypes) {
  const DataType f32 = DataType::Float32(), f64 = DataType::Float64(), i64 = DataType::Int64();
  const DataType u8(ScalarType::kUInt8), f16(ScalarType::kFloat16);
  EXPECT_TRUE(FindLowering("conv")->types(Typed({f32, f32}, {f32})));
  EXPECT_FALSE(FindLowering("conv")->types(Typed({f64, f64}, {f64})));
  EXPECT_TRUE(FindLowering("transpose")->types(Typed({u8}, {u8})));
  EXPECT_TRUE(FindLowering("concat")->types(Typed({f16, f16}, {f16})));
  EXPECT_TRUE(FindLowering("gather")->types(Typed({f64, i64}, {f64})));
  EXPECT_FALSE(FindLowering("gather")->types(Typed({f64, f32}, {f64})));
  EXPECT_TRUE(FindLowering("reduce_sum")->types(Typed({i64}, {i64})));
  EXPECT_FALSE(FindLowering("reduce_mean")->types(Typed({i64}, {i64})));
  EXPECT_TRUE(FindLowering("reduce_mean")->types(Typed({f64}, {f64})));
  EXPECT_TRUE(FindLowering("argmax")->types(Typed({u8}, {i64})));
  // Elementwise chains: the expressions judge the operands.
  EXPECT_TRUE(FindLowering("add")->types(Typed({u8, u8}, {u8})));
}

TEST(LoweringRegistryTest, ExpressionsCheckTheirOperands) {
  const graph::Node relu{"r", "relu", {}, {}, {}};
  EXPECT_TRUE(ElementwiseExpr(relu, {Expr(1.0f)}).ok());
  EXPECT_FALSE(ElementwiseExpr(relu, {Expr(1.0f), Expr(2.0f)}).ok());
  const graph::Node max{"m", "max", {}, {}, {}};
  EXPECT_TRUE(ElementwiseExpr(max, {Expr(1.0f), Expr(2.0f), Expr(3.0f)}).ok());
  // Integers where the operator is exact on them, floats for the rest;
  // storage-only half floats nowhere but in casts.
  const Expr i(int64_t{3}), h = Var("h", DataType(ScalarType::kFloat16));
  EXPECT_TRUE(ElementwiseExpr(max, {i, i}).ok());
  EXPECT_TRUE(ElementwiseExpr(relu, {i}).ok());
  EXPECT_FALSE(ElementwiseExpr(graph::Node{"e", "exp", {}, {}, {}}, {i}).ok());
  EXPECT_FALSE(ElementwiseExpr(max, {h, h}).ok());
  EXPECT_FALSE(ElementwiseExpr(max, {i, Expr(1.0f)}).ok());
  graph::Node cast{"c", "cast", {}, {}, {{"to", std::string("float16")}}};
  auto to_half = ElementwiseExpr(cast, {Expr(1.0f)});
  ASSERT_TRUE(to_half.ok()) << to_half.status();
  EXPECT_EQ(to_half->dtype(), DataType(ScalarType::kFloat16));
  const graph::Node gather{"g", "gather", {}, {}, {}};
  EXPECT_EQ(ElementwiseExpr(gather, {Expr(1.0f)}).status().code(),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace kiln::ir::ops

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
  EXPECT_EQ(FindLowering("gather").status().code(), absl::StatusCode::kNotFound);
}

TEST(LoweringRegistryTest, ExpressionsCheckTheirOperands) {
  const graph::Node relu{"r", "relu", {}, {}, {}};
  EXPECT_TRUE(ElementwiseExpr(relu, {Expr(1.0f)}).ok());
  EXPECT_FALSE(ElementwiseExpr(relu, {Expr(1.0f), Expr(2.0f)}).ok());
  const graph::Node max{"m", "max", {}, {}, {}};
  EXPECT_TRUE(ElementwiseExpr(max, {Expr(1.0f), Expr(2.0f), Expr(3.0f)}).ok());
  const graph::Node gather{"g", "gather", {}, {}, {}};
  EXPECT_EQ(ElementwiseExpr(gather, {Expr(1.0f)}).status().code(),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace kiln::ir::ops

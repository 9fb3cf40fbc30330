#include "ir/simplify.h"

#include "gtest/gtest.h"
#include "ir/printer.h"

namespace kiln::ir {
namespace {

TEST(SimplifyTest, ClampsOfARangeThatCrossesTheBoundStay) {
  // A pooling window's clamped row, max(min(2 * f + ky, 3), 0), with
  // 2 * f + ky in [0, 4]: the min is needed, the max is not.
  Var f("f"), ky("ky");
  VarRanges ranges = {{f.get(), {0, 1}}, {ky.get(), {0, 2}}};
  Expr clamped = Max(Min(Expr(f) * 2 + ky, Expr(int64_t{3})), Expr(int64_t{0}));
  EXPECT_EQ(ToString(Simplify(clamped, ranges)), ToString(Min(Expr(f) * 2 + ky, Expr(int64_t{3}))));
  EXPECT_EQ(ToString(Simplify(clamped * 4 + 1, ranges)),
            ToString(Min(Expr(f) * 2 + ky, Expr(int64_t{3})) * 4 + 1));
}

// A pooling window's row index once its chunk term folds to 0: 0 + x must
// stay x (the simplifier once took the folded min(...) for a min of 0 and x).
TEST(SimplifyTest, PoolingWindowIndex) {
  Var f("f"), ky("ky"), ow("ow"), kx("kx");
  VarRanges ranges = {{f.get(), {0, 1}}, {ky.get(), {0, 2}}, {ow.get(), {0, 1}},
                      {kx.get(), {0, 2}}};
  const auto clamp = [](Expr e) { return Max(Min(e, Expr(int64_t{3})), Expr(int64_t{0})); };
  Expr index = ((FloorDiv(f, Expr(int64_t{2})) * 4 + clamp((FloorMod(f, Expr(int64_t{2}))) * 2 + ky)) * 4) +
               clamp(Expr(ow) * 2 + kx);
  const std::string got = ToString(Simplify(index, ranges));
  EXPECT_NE(got.find("ky"), std::string::npos) << got;
  EXPECT_NE(got.find("kx"), std::string::npos) << got;
}

TEST(SimplifyTest, DecidedClampsFold) {
  Var x("x");
  VarRanges ranges = {{x.get(), {2, 5}}};
  EXPECT_EQ(ToString(Simplify(Min(Expr(x), Expr(int64_t{7})), ranges)), ToString(Expr(x)));
  EXPECT_EQ(ToString(Simplify(Max(Expr(x), Expr(int64_t{1})), ranges)), ToString(Expr(x)));
  EXPECT_EQ(ToString(Simplify(Min(Expr(x), Expr(int64_t{1})), ranges)), "1");
}

}  // namespace
}  // namespace kiln::ir

#include "ir/ops/elementwise.h"

#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/ops/softmax.h"
#include "ir/ops/testing/op_test_util.h"

namespace kiln::ir::ops {
namespace {

using ::testing::HasSubstr;
using testing::RandomFloats;

TEST(ElementwiseTest, FusedChainWithBroadcasting) {
  // out = sigmoid(relu(a + b) * c), a [2, 3, 17], b [3, 1], c [17]
  const std::vector<std::vector<int64_t>> shapes = {{2, 3, 17}, {3, 1}, {17}};
  auto a = RandomFloats(102, 1), b = RandomFloats(3, 2), c = RandomFloats(17, 3);
  std::vector<float> want(102);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 17; ++k) {
        const float v = std::max(a[(i * 3 + j) * 17 + k] + b[j], 0.0f) * c[k];
        want[(i * 3 + j) * 17 + k] = 1.0f / (1.0f + std::exp(-v));
      }
  for (const targets::Target& target : testing::RunnableTargets()) {
    auto f = BuildElementwise(
        shapes,
        [](const std::vector<Expr>& v) {
          return Call(Intrinsic::kSigmoid, {Max(v[0] + v[1], 0.0f) * v[2]});
        },
        target, "chain");
    ASSERT_TRUE(f.ok()) << f.status();
    std::vector<std::vector<float>> buffers = {a, b, c, std::vector<float>(102)};
    ASSERT_TRUE(testing::CompileAndRun(*f, target, buffers).ok());
    testing::ExpectAllNear(buffers.back(), want, 1e-5f, target.ToString());
  }
}

TEST(ElementwiseTest, BlockedImageSplitByRows) {
  // out = relu(x * scale + shift) on a blocked image [N, C/b, H, W, b] with
  // per-channel [C/b, 1, 1, b] parameters (pre-activation batch norm); rank 5
  // takes the rows-outermost schedule. Odd sizes leave a vector tail.
  const int64_t n = 2, cc = 3, h = 5, w = 7, b = 20;
  const std::vector<std::vector<int64_t>> shapes = {{n, cc, h, w, b}, {cc, 1, 1, b}, {cc, 1, 1, b}};
  auto x = RandomFloats(n * cc * h * w * b, 4), scale = RandomFloats(cc * b, 5),
       shift = RandomFloats(cc * b, 6);
  std::vector<float> want(x.size());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t c = 0; c < cc; ++c)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t xx = 0; xx < w; ++xx)
          for (int64_t k = 0; k < b; ++k) {
            const int64_t at = (((i * cc + c) * h + y) * w + xx) * b + k;
            want[at] = std::max(x[at] * scale[c * b + k] + shift[c * b + k], 0.0f);
          }
  for (const targets::Target& target : testing::RunnableTargets()) {
    auto f = BuildElementwise(
        shapes, [](const std::vector<Expr>& v) { return Max(v[0] * v[1] + v[2], 0.0f); }, target,
        "bn_relu");
    ASSERT_TRUE(f.ok()) << f.status();
    std::vector<std::vector<float>> buffers = {x, scale, shift, std::vector<float>(x.size())};
    ASSERT_TRUE(testing::CompileAndRun(*f, target, buffers).ok());
    testing::ExpectAllNear(buffers.back(), want, 1e-5f, target.ToString());
  }
}

TEST(ElementwiseTest, BroadcastErrorsNameTheShapes) {
  auto s = BroadcastShapes({{2, 3}, {4}});
  EXPECT_THAT(s.status().message(), HasSubstr("do not broadcast"));
  EXPECT_EQ(*BroadcastShapes({{5, 1, 3}, {4, 1}}), (std::vector<int64_t>{5, 4, 3}));
}

TEST(SoftmaxTest, StableAndNormalized) {
  const int64_t rows = 3, cols = 1000;
  auto x = RandomFloats(rows * cols, 4, -30.0f, 30.0f);
  x[5] = 80.0f;  // exp(80) overflows float without the max subtraction
  std::vector<float> want(x.size());
  for (int64_t r = 0; r < rows; ++r) {
    float m = -1e30f;
    for (int64_t c = 0; c < cols; ++c) m = std::max(m, x[r * cols + c]);
    double sum = 0;
    for (int64_t c = 0; c < cols; ++c) sum += std::exp(x[r * cols + c] - m);
    for (int64_t c = 0; c < cols; ++c) want[r * cols + c] = std::exp(x[r * cols + c] - m) / sum;
  }
  for (const targets::Target& target : testing::RunnableTargets()) {
    auto f = BuildSoftmax(rows, cols, target, "softmax");
    ASSERT_TRUE(f.ok()) << f.status();
    std::vector<std::vector<float>> buffers = {x, std::vector<float>(x.size())};
    ASSERT_TRUE(testing::CompileAndRun(*f, target, buffers).ok());
    testing::ExpectAllNear(buffers.back(), want, 1e-4f, target.ToString());
  }
}

// Softmax, LogSoftmax and Hardmax over the middle axis of [outer, len,
// inner]: rows (inner 1) of lengths around the vector width, and inner axes
// with tails; Hardmax inputs have repeated maxima (the first one wins).
TEST(SoftmaxTest, EveryKindAlongAnyAxis) {
  struct Shape {
    int64_t outer, len, inner;
  };
  for (const Shape& sh : std::vector<Shape>{
           {5, 1, 1}, {3, 7, 1}, {4, 8, 1}, {2, 37, 1}, {1, 3, 5}, {3, 4, 19}, {2, 9, 16}}) {
    const int64_t n = sh.outer * sh.len * sh.inner;
    auto x = RandomFloats(n, 6);
    for (int64_t i = 0; i < n; i += 3) x[i] = std::round(x[i] * 2) * 8;  // ties, large values
    for (SoftmaxKind kind : {SoftmaxKind::kSoftmax, SoftmaxKind::kLogSoftmax,
                             SoftmaxKind::kHardmax}) {
      std::vector<float> want(n);
      for (int64_t o = 0; o < sh.outer; ++o)
        for (int64_t i = 0; i < sh.inner; ++i) {
          auto at = [&](int64_t l) { return (o * sh.len + l) * sh.inner + i; };
          int64_t first = 0;
          for (int64_t l = 1; l < sh.len; ++l) first = x[at(l)] > x[at(first)] ? l : first;
          const double m = x[at(first)];
          double sum = 0;
          for (int64_t l = 0; l < sh.len; ++l) sum += std::exp(x[at(l)] - m);
          for (int64_t l = 0; l < sh.len; ++l) {
            want[at(l)] = kind == SoftmaxKind::kSoftmax      ? std::exp(x[at(l)] - m) / sum
                          : kind == SoftmaxKind::kLogSoftmax ? x[at(l)] - m - std::log(sum)
                                                             : (l == first ? 1.0 : 0.0);
          }
        }
      for (const targets::Target& target : testing::RunnableTargets()) {
        auto f = BuildSoftmax(kind, sh.outer, sh.len, sh.inner, target, "softmax");
        ASSERT_TRUE(f.ok()) << f.status();
        std::vector<std::vector<float>> buffers = {x, std::vector<float>(n)};
        ASSERT_TRUE(testing::CompileAndRun(*f, target, buffers).ok());
        testing::ExpectAllNear(buffers.back(), want, 1e-4f,
                               absl::StrCat(target.ToString(), " kind ", static_cast<int>(kind),
                                            " [", sh.outer, ", ", sh.len, ", ", sh.inner, "]"));
      }
    }
  }
  EXPECT_FALSE(BuildSoftmax(SoftmaxKind::kSoftmax, 0, 3, 1, testing::RunnableTargets()[0], "s")
                   .ok());
}

TEST(SoftmaxTest, RowReductions) {
  const int64_t rows = 19, cols = 7;
  auto x = RandomFloats(rows * cols, 5);
  for (RowReduction kind : {RowReduction::kSum, RowReduction::kMean, RowReduction::kMax}) {
    std::vector<float> want(rows);
    for (int64_t r = 0; r < rows; ++r) {
      double sum = 0;
      float m = -1e30f;
      for (int64_t c = 0; c < cols; ++c) {
        sum += x[r * cols + c];
        m = std::max(m, x[r * cols + c]);
      }
      want[r] = kind == RowReduction::kMax ? m : kind == RowReduction::kSum ? sum : sum / cols;
    }
    for (const targets::Target& target : testing::RunnableTargets()) {
      auto f = BuildRowReduction(kind, rows, cols, target, "reduce");
      ASSERT_TRUE(f.ok()) << f.status();
      std::vector<std::vector<float>> buffers = {x, std::vector<float>(rows)};
      ASSERT_TRUE(testing::CompileAndRun(*f, target, buffers).ok());
      testing::ExpectAllNear(buffers.back(), want, 1e-5f, target.ToString());
    }
  }
}

}  // namespace
}  // namespace kiln::ir::ops

#include "ir/ops/normalization.h"

#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ir/ops/testing/op_test_util.h"

namespace kiln::ir::ops {
namespace {

using testing::RandomFloats;

// Layer normalization (scale and bias per column or one value) and instance
// normalization (per channel), with and without the statistics outputs, on
// rows around the vector width.
TEST(NormalizationTest, RowNormMatchesTheReference) {
  struct Case {
    int64_t rows, cols, channels, scale_size, bias_size;
    bool bias, stats;
  };
  for (const Case& c : std::vector<Case>{{3, 7, 0, 7, 7, true, false},
                                         {5, 16, 0, 16, 16, false, true},
                                         {2, 37, 0, 1, 37, true, true},
                                         {1, 1, 0, 1, 1, true, false},
                                         {6, 9, 3, 3, 3, true, false},
                                         {4, 64, 2, 2, 2, true, false}}) {
    RowNormWorkload w;
    w.rows = c.rows;
    w.cols = c.cols;
    w.channels = c.channels;
    w.scale_size = c.scale_size;
    w.bias = c.bias;
    w.bias_size = c.bias_size;
    w.stats = c.stats;
    w.epsilon = 1e-3;
    auto x = RandomFloats(c.rows * c.cols, 1), scale = RandomFloats(c.scale_size, 2),
         bias = RandomFloats(c.bias_size, 3);
    for (float& v : x) v = v * 3 + 1;  // a mean far from 0
    std::vector<float> want(x.size()), want_mean(c.rows), want_inv(c.rows);
    for (int64_t r = 0; r < c.rows; ++r) {
      double mean = 0, var = 0;
      for (int64_t j = 0; j < c.cols; ++j) mean += x[r * c.cols + j];
      mean /= c.cols;
      for (int64_t j = 0; j < c.cols; ++j) {
        var += (x[r * c.cols + j] - mean) * (x[r * c.cols + j] - mean);
      }
      const double inv = 1 / std::sqrt(var / c.cols + w.epsilon);
      want_mean[r] = mean;
      want_inv[r] = inv;
      for (int64_t j = 0; j < c.cols; ++j) {
        const int64_t at = c.channels ? r % c.channels : j;
        double v = (x[r * c.cols + j] - mean) * inv * scale[c.scale_size == 1 ? 0 : at];
        if (c.bias) v += bias[c.bias_size == 1 ? 0 : at];
        want[r * c.cols + j] = v;
      }
    }
    for (const targets::Target& target : testing::RunnableTargets()) {
      auto f = BuildRowNorm(w, target, "norm");
      ASSERT_TRUE(f.ok()) << f.status();
      std::vector<std::vector<float>> buffers = {x, scale};
      if (c.bias) buffers.push_back(bias);
      buffers.emplace_back(x.size());
      if (c.stats) {
        buffers.emplace_back(c.rows);
        buffers.emplace_back(c.rows);
      }
      ASSERT_TRUE(testing::CompileAndRun(*f, target, buffers).ok());
      const std::string what = absl::StrCat(target.ToString(), " [", c.rows, ", ", c.cols, "]");
      const size_t out = c.bias ? 3 : 2;
      testing::ExpectAllNear(buffers[out], want, 1e-4f, what);
      if (c.stats) {
        testing::ExpectAllNear(buffers[out + 1], want_mean, 1e-4f, what + " mean");
        testing::ExpectAllNear(buffers[out + 2], want_inv, 1e-3f, what + " inv");
      }
    }
  }
  RowNormWorkload bad;
  bad.rows = 2;
  bad.cols = 4;
  bad.scale_size = 3;
  EXPECT_FALSE(BuildRowNorm(bad, testing::RunnableTargets()[0], "norm").ok());
}

TEST(NormalizationTest, BatchNormWithRunTimeStatistics) {
  const int64_t n = 2, c = 3, inner = 13;
  auto x = RandomFloats(n * c * inner, 4), scale = RandomFloats(c, 5), bias = RandomFloats(c, 6),
       mean = RandomFloats(c, 7), var = RandomFloats(c, 8);
  for (float& v : var) v = std::fabs(v) + 0.1f;
  std::vector<float> want(x.size());
  for (int64_t i = 0; i < n * c * inner; ++i) {
    const int64_t ch = (i / inner) % c;
    want[i] = (x[i] - mean[ch]) * scale[ch] / std::sqrt(var[ch] + 1e-5) + bias[ch];
  }
  for (const targets::Target& target : testing::RunnableTargets()) {
    auto f = BuildBatchNorm(n, c, inner, 1e-5, target, "bn");
    ASSERT_TRUE(f.ok()) << f.status();
    std::vector<std::vector<float>> buffers = {x, scale, bias, mean, var,
                                               std::vector<float>(x.size())};
    ASSERT_TRUE(testing::CompileAndRun(*f, target, buffers).ok());
    testing::ExpectAllNear(buffers.back(), want, 1e-4f, target.ToString());
  }
}

}  // namespace
}  // namespace kiln::ir::ops

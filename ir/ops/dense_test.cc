#include "ir/ops/dense.h"

#include <algorithm>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/ops/testing/matmul_reference.h"
#include "ir/ops/testing/op_test_util.h"
#include "targets/target_parser.h"

namespace kiln::ir::ops {
namespace {

using testing::RandomFloats;

// [N, K] -> [N/bn, K, bn]
std::vector<float> PackWeight(const std::vector<float>& w, int64_t n, int64_t k, int64_t bn) {
  std::vector<float> out(w.size());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < k; ++j) out[((i / bn) * k + j) * bn + i % bn] = w[i * k + j];
  return out;
}

void CheckDense(const DenseWorkload& w, const DenseConfig& c, const targets::Target& target) {
  auto data = RandomFloats(w.m * w.k, 1), weight = RandomFloats(w.n * w.k, 2),
       bias = RandomFloats(w.n, 3);
  std::vector<float> want(w.m * w.n);
  for (int64_t i = 0; i < w.m; ++i)
    for (int64_t j = 0; j < w.n; ++j) {
      double acc = w.bias ? bias[j] : 0.0;
      for (int64_t k = 0; k < w.k; ++k) acc += data[i * w.k + k] * weight[j * w.k + k];
      want[i * w.n + j] = w.activation == Activation::kRelu ? std::max(acc, 0.0) : acc;
    }
  auto f = BuildDense(w, c, target, "dense");
  ASSERT_TRUE(f.ok()) << f.status();
  std::vector<std::vector<float>> buffers = {data, PackWeight(weight, w.n, w.k, c.n_bn)};
  if (w.bias) buffers.push_back(bias);
  buffers.emplace_back(want.size(), 0.0f);
  ASSERT_TRUE(testing::CompileAndRun(*f, target, buffers).ok());
  testing::ExpectAllNear(buffers.back(), want, 1e-4f, target.ToString());
}

TEST(DenseTest, MatchesTheReferenceOnAwkwardShapes) {
  for (const targets::Target& target : testing::RunnableTargets()) {
    for (DenseWorkload w : {DenseWorkload{1, 1000, 2048, true, Activation::kNone},
                            DenseWorkload{3, 20, 7, true, Activation::kRelu},
                            DenseWorkload{5, 9, 33, false, Activation::kNone},
                            // rows x two vectors of features by default
                            DenseWorkload{6, 64, 40, true, Activation::kRelu},
                            DenseWorkload{21, 32, 5, false, Activation::kNone},
                            // one row: panels of several vectors
                            DenseWorkload{1, 256, 24, true, Activation::kRelu},
                            // three-vector panels
                            DenseWorkload{4, 48, 9, true, Activation::kNone},
                            DenseWorkload{4, 96, 9, true, Activation::kNone},
                            DenseWorkload{2, 128, 17, false, Activation::kNone}}) {
      CheckDense(w, DefaultDenseConfig(w, target), target);
      CheckDense(w, DenseConfig{1, 1}, target);
    }
  }
}

// The default register tile has the most accumulators that fit beside a
// register per weight vector and the broadcast element, in any whole number
// of vectors that divides N (three-vector panels included), and leaves
// every core a task; narrow panels stay where no vector divides N.
using Tile = std::pair<int64_t, int64_t>;  // rows, features

TEST(DenseTest, DefaultTilesFillTheRegisters) {
  const targets::Target avx512 = *targets::ParseTarget("llvm -mcpu=skylake-avx512");
  ASSERT_EQ(avx512.vector_lanes, 16);
  auto tile = [](const targets::Target& target, int64_t m, int64_t n) {
    const DenseConfig c = DefaultDenseConfig(DenseWorkload{m, n, 256, false, Activation::kNone},
                                             target);
    return Tile(c.m_tile, c.n_bn);
  };
  // One row: 8 vectors (16 would not leave registers for the weights).
  EXPECT_EQ(tile(avx512, 1, 1024), Tile(1, 128));
  EXPECT_EQ(tile(avx512, 2, 1024), Tile(2, 128));
  EXPECT_EQ(tile(avx512, 1, 1000), Tile(1, 10));
  // 24 accumulators either way; 6 vectors x 4 rows load fewer per FMA.
  EXPECT_EQ(tile(avx512, 128, 768), Tile(4, 96));
  const targets::Target avx2 = *targets::ParseTarget("llvm -mattr=+avx,+avx2,+fma");
  ASSERT_EQ(avx2.vector_lanes, 8);
  EXPECT_EQ(tile(avx2, 128, 768), Tile(4, 24));
  // ViT's 197 tokens (prime): 4 rows and a shorter last tile, not one row;
  // and not 14 rows of one vector, which load a row element per FMA.
  EXPECT_EQ(tile(avx2, 197, 768), Tile(4, 24));
  EXPECT_EQ(tile(avx2, 1, 1000), Tile(1, 40));
  // Two cores: the 6-vector panel of 96 features would be one task.
  targets::Target two_cores = avx512;
  two_cores.num_cores = 2;
  EXPECT_EQ(tile(two_cores, 1, 96), Tile(1, 48));
}

TEST(DenseTest, BatchMatmulMatchesTheReference) {
  // N = 19 and 37, not whole panels of columns: B is copied in whole panels
  // with zeros past N, and the store stops at N.
  for (const BatchMatmulWorkload& w :
       {BatchMatmulWorkload{2, 5, 19, 6}, BatchMatmulWorkload{3, 13, 37, 8}}) {
    auto a = RandomFloats(w.batch * w.m * w.k, 4), b = RandomFloats(w.batch * w.k * w.n, 5);
    std::vector<float> want(w.batch * w.m * w.n, 0.0f);
    for (int64_t bt = 0; bt < w.batch; ++bt)
      for (int64_t i = 0; i < w.m; ++i)
        for (int64_t k = 0; k < w.k; ++k)
          for (int64_t j = 0; j < w.n; ++j)
            want[(bt * w.m + i) * w.n + j] +=
                a[(bt * w.m + i) * w.k + k] * b[(bt * w.k + k) * w.n + j];
    for (const targets::Target& target : testing::RunnableTargets()) {
      auto f = BuildBatchMatmul(w, target, "bmm");
      ASSERT_TRUE(f.ok()) << f.status();
      std::vector<std::vector<float>> buffers = {a, b, std::vector<float>(want.size())};
      ASSERT_TRUE(testing::CompileAndRun(*f, target, buffers).ok());
      testing::ExpectAllNear(buffers.back(), want, 1e-4f, target.ToString());
    }
  }
}

void CheckMatmul(const MatmulWorkload& w) {
  auto a = RandomFloats(testing::MatmulASize(w), 11), b = RandomFloats(testing::MatmulBSize(w), 12),
       c = RandomFloats(testing::MatmulCSize(w), 13);
  const std::vector<float> want = testing::ReferenceMatmul(w, a, b, c);
  for (const targets::Target& target : testing::RunnableTargets()) {
    auto f = BuildMatmul(w, target, "matmul");
    ASSERT_TRUE(f.ok()) << f.status();
    std::vector<std::vector<float>> buffers = {a, b};
    if (w.has_c) buffers.push_back(c);
    buffers.emplace_back(want.size(), 0.0f);
    ASSERT_TRUE(testing::CompileAndRun(*f, target, buffers).ok());
    testing::ExpectAllNear(buffers.back(), want, 1e-4f, target.ToString());
  }
}

TEST(DenseTest, MatmulBroadcastsBatchDimensionsLikeNumpy) {
  struct Case {
    std::vector<int64_t> a, b, out;
  };
  for (const Case& c : std::vector<Case>{
           {{2, 3, 5, 7}, {2, 3, 7, 5}, {2, 3, 5, 5}},     // attention scores
           {{2, 3, 5, 4}, {2, 3, 4, 17}, {2, 3, 5, 17}},   // scores x values
           {{3, 13, 9}, {9, 21}, {3, 13, 21}},              // [B, S, K] x [K, N]
           {{13, 9}, {4, 9, 6}, {4, 13, 6}},                // A shared by every batch
           {{2, 1, 4, 3}, {1, 5, 3, 2}, {2, 5, 4, 2}},      // both broadcast
           {{7}, {7, 10}, {10}},                            // 1-D A
           {{3, 4, 7}, {7}, {3, 4}},                        // 1-D B
           {{7}, {7}, {}},                                  // dot product
           {{1, 1, 6, 3}, {3, 3, 9}, {1, 3, 6, 9}},         // extents 1
       }) {
    auto w = NumpyMatmulWorkload(c.a, c.b);
    ASSERT_TRUE(w.ok()) << w.status();
    std::vector<int64_t> out = w->batch;
    if (c.a.size() > 1) out.push_back(w->m);
    if (c.b.size() > 1) out.push_back(w->n);
    EXPECT_EQ(out, c.out);
    CheckMatmul(*w);
  }
  EXPECT_FALSE(NumpyMatmulWorkload({2, 3, 4}, {3, 4, 5}).ok());
  EXPECT_FALSE(NumpyMatmulWorkload({3, 4}, {5, 6}).ok());
}

TEST(DenseTest, GemmOptionsMatchTheReference) {
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (const std::vector<int64_t>& c_shape :
           std::vector<std::vector<int64_t>>{{}, {1}, {11}, {1, 11}, {5, 1}, {5, 11}}) {
        MatmulWorkload w;
        w.m = 5;
        w.n = 11;
        w.k = 9;
        w.trans_a = ta;
        w.trans_b = tb;
        w.alpha = 0.5;
        w.beta = c_shape.size() == 1 ? 1.0 : -2.0;
        w.has_c = true;
        w.c_shape = c_shape;
        CheckMatmul(w);
      }
  MatmulWorkload big;
  big.m = 37;
  big.n = 70;
  big.k = 33;
  big.trans_b = true;
  CheckMatmul(big);
}

TEST(DenseTest, Avx512CodeCompilesAndBadConfigsAreErrors) {
  DenseWorkload w{1, 1000, 2048, true, Activation::kRelu};
  auto f = BuildDense(w, DefaultDenseConfig(w, testing::Avx512Target()), testing::Avx512Target(),
                      "dense");
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(testing::CompileOnly(*f, testing::Avx512Target()).ok());
  EXPECT_FALSE(BuildDense(w, DenseConfig{7, 1}, testing::Avx512Target(), "dense").ok());
  EXPECT_FALSE(
      BuildDense(DenseWorkload{0, 1, 1}, DenseConfig{1, 1}, testing::Avx512Target(), "dense").ok());
}

}  // namespace
}  // namespace kiln::ir::ops

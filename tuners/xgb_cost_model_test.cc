#include "tuners/xgb_cost_model.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kiln::tuners {
namespace {

using ::testing::HasSubstr;

// y = a peak at x0 = 3, x1 irrelevant.
double Truth(float x0, float x1) { return 1.0 / (1.0 + (x0 - 3) * (x0 - 3)); }

TrainingSet MakeData(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(0, 8);
  std::vector<std::vector<float>> features;
  std::vector<double> throughput;
  for (int i = 0; i < n; ++i) {
    float x0 = u(rng), x1 = u(rng);
    features.push_back({x0, x1});
    throughput.push_back(Truth(x0, x1));
  }
  TrainingSet data;
  data.num_features = 2;
  data.AddGroup(features, throughput);
  return data;
}

// Fraction of pairs the model orders like the truth.
double PairAccuracy(XgbCostModel& model) {
  std::vector<float> rows;
  std::vector<double> truth;
  for (float x0 = 0.25f; x0 < 8; x0 += 0.5f) {
    rows.push_back(x0);
    rows.push_back(1.0f);
    truth.push_back(Truth(x0, 1));
  }
  std::vector<float> predicted = *model.Predict(rows, 2);
  int agree = 0, pairs = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    for (size_t j = i + 1; j < truth.size(); ++j) {
      if (std::abs(truth[i] - truth[j]) < 0.05) continue;
      ++pairs;
      agree += (truth[i] > truth[j]) == (predicted[i] > predicted[j]);
    }
  }
  return static_cast<double>(agree) / pairs;
}

class XgbCostModelTest : public ::testing::TestWithParam<XgbLoss> {};

TEST_P(XgbCostModelTest, LearnsToRankAPeak) {
  XgbModelOptions options;
  options.loss = GetParam();
  options.binary_threshold = 0.5;
  XgbCostModel model(options);
  EXPECT_FALSE(model.trained());
  ASSERT_TRUE(model.Fit(MakeData(200, 1)).ok());
  EXPECT_TRUE(model.trained());
  // Binary labels only separate "near the peak" from the rest.
  double needed = GetParam() == XgbLoss::kRankBinary ? 0.7 : 0.9;
  EXPECT_GE(PairAccuracy(model), needed) << XgbLossName(GetParam());
}

TEST_P(XgbCostModelTest, TrainingIsReproducible) {
  XgbModelOptions options;
  options.loss = GetParam();
  XgbCostModel a(options), b(options);
  TrainingSet data = MakeData(60, 2);
  ASSERT_TRUE(a.Fit(data).ok());
  ASSERT_TRUE(b.Fit(data).ok());
  std::vector<float> rows = {1, 2, 3, 4, 5, 6, 7, 0.5};
  EXPECT_EQ(*a.Predict(rows, 2), *b.Predict(rows, 2));
}

INSTANTIATE_TEST_SUITE_P(Losses, XgbCostModelTest,
                         ::testing::Values(XgbLoss::kReg, XgbLoss::kRank,
                                           XgbLoss::kRankBinary),
                         [](const ::testing::TestParamInfo<XgbLoss>& info) {
                           std::string name(XgbLossName(info.param));
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(XgbCostModelErrorsTest, AreStatusesNotCrashes) {
  XgbCostModel model(XgbModelOptions{});
  EXPECT_EQ(model.Predict({1, 2}, 2).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(model.Fit(TrainingSet()).code(),
            absl::StatusCode::kFailedPrecondition);
  TrainingSet ragged = MakeData(10, 3);
  ragged.rows.pop_back();
  EXPECT_EQ(model.Fit(ragged).code(), absl::StatusCode::kInvalidArgument);

  ASSERT_TRUE(model.Fit(MakeData(10, 3)).ok());
  EXPECT_EQ(model.Predict({1, 2, 3}, 3).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(model.Predict({}, 2)->empty());

  // An error inside xgboost comes back with its message: group sizes that
  // do not add up to the number of rows.
  XgbModelOptions rank;
  rank.loss = XgbLoss::kRank;
  XgbCostModel ranker(rank);
  TrainingSet bad_groups = MakeData(10, 4);
  bad_groups.group_sizes = {3};
  absl::Status status = ranker.Fit(bad_groups);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(status.message()), HasSubstr("xgboost"));
  EXPECT_FALSE(ranker.trained());
}

TEST(XgbCostModelErrorsTest, GroupsNormalizeIndependently) {
  TrainingSet data;
  data.num_features = 1;
  data.AddGroup({{1}, {2}}, {10, 20});
  data.AddGroup({{3}, {4}, {5}}, {0, 1, 4});
  data.AddGroup({{6}}, {0});  // all failed: all zero, not NaN
  EXPECT_EQ(data.num_rows(), 6);
  EXPECT_EQ(data.group_sizes, (std::vector<unsigned>{2, 3, 1}));
  EXPECT_EQ(data.normalized_throughput,
            (std::vector<float>{0.5f, 1.0f, 0.0f, 0.25f, 1.0f, 0.0f}));
}

}  // namespace
}  // namespace kiln::tuners

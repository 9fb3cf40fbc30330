#include "tuners/simulated_annealing.h"

#include <cmath>
#include <set>
#include <vector>

#include "gtest/gtest.h"

namespace kiln::tuners {
namespace {

// A smooth score over three choice knobs of 20 values each, peaking at
// (13, 4, 17), plus a flag: 16000 configs.
tuning::ConfigSpace MakeSpace() {
  tuning::ConfigSpace space;
  std::vector<int64_t> values;
  for (int i = 0; i < 20; ++i) values.push_back(i);
  EXPECT_TRUE(space.DefineIntChoice("a", values).ok());
  EXPECT_TRUE(space.DefineIntChoice("b", values).ok());
  EXPECT_TRUE(space.DefineIntChoice("c", values).ok());
  EXPECT_TRUE(space.DefineBool("f").ok());
  return space;
}

float Score(const tuning::Config& config) {
  double a = *config.Int("a"), b = *config.Int("b"), c = *config.Int("c");
  double d = (a - 13) * (a - 13) + (b - 4) * (b - 4) + (c - 17) * (c - 17);
  return static_cast<float>(-d + (*config.Bool("f") ? 1 : 0));
}

BatchScorer Scorer(int* calls) {
  return [calls](const std::vector<tuning::Config>& configs) -> absl::StatusOr<std::vector<float>> {
    ++*calls;
    std::vector<float> scores;
    for (const tuning::Config& config : configs) scores.push_back(Score(config));
    return scores;
  };
}

TEST(SimulatedAnnealingTest, FindsTheTopConfigs) {
  tuning::ConfigSpace space = MakeSpace();
  SimulatedAnnealing annealing(space, AnnealingOptions());
  std::mt19937_64 rng(1);
  int calls = 0;
  absl::StatusOr<std::vector<tuning::Config>> best = annealing.FindMaximums(
      5, {}, Scorer(&calls), [](int64_t) { return false; }, rng);
  ASSERT_TRUE(best.ok());
  ASSERT_EQ(best->size(), 5u);
  EXPECT_EQ(best->front().ToString(),
            "[('a', 13), ('b', 4), ('c', 17), ('f', True)]");
  // Best first, distinct.
  std::set<int64_t> distinct;
  for (size_t i = 0; i < best->size(); ++i) {
    distinct.insert((*best)[i].index());
    if (i > 0) {
      EXPECT_GE(Score((*best)[i - 1]), Score((*best)[i]));
    }
  }
  EXPECT_EQ(distinct.size(), 5u);
  EXPECT_LE(calls, AnnealingOptions().max_steps + 1);
}

TEST(SimulatedAnnealingTest, ExcludedConfigsAreNeverReturned) {
  tuning::ConfigSpace space = MakeSpace();
  SimulatedAnnealing annealing(space, AnnealingOptions());
  std::mt19937_64 rng(2);
  int calls = 0;
  int64_t peak = space.FromChoices({13, 4, 17, 1})->index();
  absl::StatusOr<std::vector<tuning::Config>> best = annealing.FindMaximums(
      3, {peak}, Scorer(&calls), [peak](int64_t index) { return index == peak || index % 2 == 0; },
      rng);
  ASSERT_TRUE(best.ok());
  ASSERT_EQ(best->size(), 3u);
  for (const tuning::Config& config : *best) {
    EXPECT_NE(config.index(), peak);
    EXPECT_EQ(config.index() % 2, 1);
  }
}

TEST(SimulatedAnnealingTest, ScorerErrorsPropagate) {
  tuning::ConfigSpace space = MakeSpace();
  SimulatedAnnealing annealing(space, AnnealingOptions());
  std::mt19937_64 rng(3);
  BatchScorer failing =
      [](const std::vector<tuning::Config>&) -> absl::StatusOr<std::vector<float>> {
    return absl::InternalError("model broke");
  };
  EXPECT_EQ(annealing
                .FindMaximums(3, {}, failing, [](int64_t) { return false; }, rng)
                .status()
                .code(),
            absl::StatusCode::kInternal);
  BatchScorer short_scores =
      [](const std::vector<tuning::Config>&) -> absl::StatusOr<std::vector<float>> {
    return std::vector<float>{1};
  };
  EXPECT_FALSE(annealing
                   .FindMaximums(3, {}, short_scores,
                                 [](int64_t) { return false; }, rng)
                   .ok());
}

TEST(SimulatedAnnealingTest, SingleConfigSpace) {
  tuning::ConfigSpace space;
  SimulatedAnnealing annealing(space, AnnealingOptions());
  std::mt19937_64 rng(4);
  int calls = 0;
  BatchScorer zero =
      [&calls](const std::vector<tuning::Config>& configs) -> absl::StatusOr<std::vector<float>> {
    ++calls;
    return std::vector<float>(configs.size(), 0.0f);
  };
  absl::StatusOr<std::vector<tuning::Config>> best = annealing.FindMaximums(
      4, {}, zero, [](int64_t) { return false; }, rng);
  ASSERT_TRUE(best.ok());
  ASSERT_EQ(best->size(), 1u);
  EXPECT_EQ(best->front().index(), 0);
}

}  // namespace
}  // namespace kiln::tuners

#include <algorithm>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tuners/testing/synthetic_task.h"
#include "tuners/tune_loop.h"
#include "tuners/tuner.h"

namespace kiln::examples {
namespace {

using ::testing::Contains;

TEST(CoordinateDescentTunerTest, IsRegisteredByLinkingAlone) {
  EXPECT_THAT(tuners::TunerRegistry().Names(), Contains("coordinate_descent"));
}

TEST(CoordinateDescentTunerTest, TunesTheSyntheticTask) {
  std::unique_ptr<tuners::testing::SyntheticTask> synthetic =
      tuners::testing::MakeConv2dLikeTask();
  std::vector<int64_t> measured;
  tuners::MeasureFunction measure = tuners::testing::SyntheticMeasure(*synthetic);
  tuners::MeasureFunction recording =
      [&](const std::vector<tuners::MeasureInput>& inputs) {
        for (const auto& input : inputs) measured.push_back(input.config.index());
        return measure(inputs);
      };
  tuners::TuneOptions options;
  options.n_trial = 64;
  options.batch_size = 8;
  options.seed = 1;
  absl::StatusOr<tuners::TuneSummary> summary =
      tuners::Tune(synthetic->task, "coordinate_descent", tuners::TunerOptions(),
                   options, recording);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->measured, 64);
  std::sort(measured.begin(), measured.end());
  EXPECT_EQ(std::unique(measured.begin(), measured.end()), measured.end());
  // The landscape is separable enough for knob-by-knob descent to reach
  // within 10% of the optimum in 64 trials.
  EXPECT_GE(synthetic->optimum_cost / summary->state.best_result.MedianCost(), 0.9);
}

TEST(CoordinateDescentTunerTest, VisitsASmallSpaceCompletely) {
  tuning::TuningTask task;
  task.name = "small";
  ASSERT_TRUE(task.space.DefineIntChoice("a", {1, 2, 3}).ok());
  ASSERT_TRUE(task.space.DefineBool("b").ok());
  int calls = 0;
  tuners::MeasureFunction measure =
      [&](const std::vector<tuners::MeasureInput>& inputs)
      -> absl::StatusOr<std::vector<tuners::MeasureResult>> {
    calls += static_cast<int>(inputs.size());
    std::vector<tuners::MeasureResult> results(inputs.size());
    for (auto& r : results) r.costs = {1.0};
    return results;
  };
  tuners::TuneOptions options;
  options.n_trial = 100;
  options.batch_size = 4;
  absl::StatusOr<tuners::TuneSummary> summary = tuners::Tune(
      task, "coordinate_descent", tuners::TunerOptions(), options, measure);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(calls, 6);
  EXPECT_EQ(summary->stop_reason, tuners::StopReason::kSpaceExhausted);
}

TEST(CoordinateDescentTunerTest, RadiusIsItsOneParameter) {
  std::unique_ptr<tuners::testing::SyntheticTask> synthetic =
      tuners::testing::MakeConv2dLikeTask();
  tuners::TunerOptions options;
  options.params = {{"radius", "1"}};
  EXPECT_TRUE(tuners::CreateTuner("coordinate_descent", synthetic->task, options).ok());
  options.params = {{"radius", "-1"}};
  EXPECT_THAT(tuners::CreateTuner("coordinate_descent", synthetic->task, options)
                  .status()
                  .message(),
              ::testing::HasSubstr("radius must be"));
  options.params = {{"radus", "1"}};
  EXPECT_THAT(tuners::CreateTuner("coordinate_descent", synthetic->task, options)
                  .status()
                  .message(),
              ::testing::HasSubstr("it takes: radius"));
}

}  // namespace
}  // namespace kiln::examples

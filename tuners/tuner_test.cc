#include "tuners/tuner.h"

#include <memory>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kiln::tuners {
namespace {

using ::testing::HasSubstr;

// Proposes configs in a fixed order, for testing the base class.
class ScriptedTuner : public Tuner {
 public:
  ScriptedTuner(const tuning::TuningTask& task, std::vector<int64_t> script)
      : Tuner(task), script_(std::move(script)) {}
  std::vector<std::pair<int64_t, double>> observed;

 protected:
  absl::StatusOr<std::vector<tuning::Config>> Propose(int n) override {
    std::vector<tuning::Config> batch;
    while (static_cast<int>(batch.size()) < n && next_ < script_.size()) {
      batch.push_back(task().space.At(script_[next_++]));
    }
    return batch;
  }
  absl::Status Observe(const std::vector<MeasureInput>& inputs,
                       const std::vector<MeasureResult>& results) override {
    for (size_t i = 0; i < inputs.size(); ++i) {
      observed.emplace_back(inputs[i].config.index(), Score(results[i]));
    }
    return absl::OkStatus();
  }

 private:
  std::vector<int64_t> script_;
  size_t next_ = 0;
};

class TunerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    task_.name = "t";
    task_.flop = 100;
    ASSERT_TRUE(task_.space.DefineIntChoice("k", {1, 2, 3, 4}).ok());
  }
  tuning::TuningTask task_;
};

TEST_F(TunerTest, NextBatchMarksVisitedAndUpdateLearns) {
  ScriptedTuner tuner(task_, {2, 0, 3, 1});
  EXPECT_TRUE(tuner.HasNext());
  absl::StatusOr<std::vector<tuning::Config>> batch = tuner.NextBatch(3);
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->size(), 3u);
  EXPECT_TRUE(tuner.IsVisited(2));
  EXPECT_FALSE(tuner.IsVisited(1));
  EXPECT_EQ(tuner.num_visited(), 3);

  MeasureResult fast, crashed;
  fast.costs = {0.5};
  crashed.error_no = MeasureErrorNo::kRuntimeDevice;
  ASSERT_TRUE(tuner
                  .Update({{&task_, (*batch)[0]}, {&task_, (*batch)[1]}},
                          {fast, crashed})
                  .ok());
  ASSERT_EQ(tuner.observed.size(), 2u);
  EXPECT_EQ(tuner.observed[0], std::make_pair(int64_t{2}, 200.0));
  EXPECT_EQ(tuner.observed[1], std::make_pair(int64_t{0}, 0.0));

  // A config from elsewhere (a resumed record) becomes visited too.
  ASSERT_TRUE(tuner.Update({{&task_, task_.space.At(1)}}, {fast}).ok());
  EXPECT_FALSE(tuner.HasNext());
  EXPECT_TRUE(tuner.NextBatch(4)->empty());
  EXPECT_EQ(tuner.NextBatch(-1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(TunerTest, UpdateRejectsMismatchedInput) {
  ScriptedTuner tuner(task_, {});
  EXPECT_FALSE(tuner.Update({{&task_, task_.space.At(0)}}, {}).ok());
  tuning::TuningTask other = task_;
  other.name = "other";
  EXPECT_THAT(std::string(tuner.Update({{&other, other.space.At(0)}},
                                       {MeasureResult()})
                              .message()),
              HasSubstr("result of task other"));
}

TEST_F(TunerTest, ProposingAVisitedConfigIsAPluginBug) {
  ScriptedTuner tuner(task_, {1, 1});
  EXPECT_DEATH((void)tuner.NextBatch(2), "proposed config 1 twice");
}

TEST(TunerOptionsTest, TypedParamsAndUnknownNames) {
  TunerOptions options;
  options.params = {{"elite_num", "3"}, {"mutation_prob", "0.25"},
                    {"bad", "x1"}};
  EXPECT_EQ(*options.IntParam("elite_num", 7), 3);
  EXPECT_EQ(*options.IntParam("absent", 7), 7);
  EXPECT_DOUBLE_EQ(*options.DoubleParam("mutation_prob", 0), 0.25);
  EXPECT_FALSE(options.IntParam("bad", 0).ok());
  EXPECT_FALSE(options.DoubleParam("bad", 0).ok());
  EXPECT_FALSE(options.IntParam("mutation_prob", 0).ok());
  absl::Status known =
      options.CheckKnownParams("ga", {"elite_num", "mutation_prob"});
  EXPECT_THAT(std::string(known.message()),
              HasSubstr("tuner 'ga' has no parameter 'bad'"));
}

TEST(TuneOptionsTest, Validation) {
  TuneOptions options;
  EXPECT_TRUE(options.Validate().ok());
  options.batch_size = 0;
  EXPECT_FALSE(options.Validate().ok());
  options = TuneOptions();
  options.n_trial = -1;
  EXPECT_FALSE(options.Validate().ok());
  options = TuneOptions();
  options.early_stopping = -5;
  EXPECT_FALSE(options.Validate().ok());
}

TEST(TunerRegistryTest, UnknownNameListsTheRegisteredOnes) {
  tuning::TuningTask task;
  absl::StatusOr<std::unique_ptr<Tuner>> tuner =
      CreateTuner("no_such_tuner", task, TunerOptions());
  EXPECT_EQ(tuner.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(tuner.status().message()), HasSubstr("unknown tuner"));
}

}  // namespace
}  // namespace kiln::tuners

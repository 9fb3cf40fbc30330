#include "tuners/tune_loop.h"

#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tuners/log_to_file.h"
#include "tuners/records.h"
#include "tuners/testing/synthetic_task.h"

namespace kiln::tuners {
namespace {

using ::testing::HasSubstr;
using testing::MakeConv2dLikeTask;
using testing::SyntheticMeasure;
using testing::SyntheticTask;

std::string TempPath(absl::string_view name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string path = absl::StrCat(dir ? dir : "/tmp", "/", name);
  std::remove(path.c_str());
  return path;
}

class TuneLoopTest : public ::testing::Test {
 protected:
  void SetUp() override { synthetic_ = MakeConv2dLikeTask(); }
  const tuning::TuningTask& task() const { return synthetic_->task; }

  std::unique_ptr<SyntheticTask> synthetic_;
};

TEST_F(TuneLoopTest, RunsTheBudgetInBatchesAndTracksTheBest) {
  std::vector<int> batch_sizes;
  int measured = 0;
  MeasureFunction measure = SyntheticMeasure(*synthetic_, &measured);
  MeasureFunction counting = [&](const std::vector<MeasureInput>& inputs) {
    batch_sizes.push_back(static_cast<int>(inputs.size()));
    return measure(inputs);
  };
  std::vector<int> seen_done;
  double best_seen_by_callback = 0;
  Callback watch;
  watch.on_batch = [&](const TuneState& state, const std::vector<MeasureInput>&,
                       const std::vector<MeasureResult>&) {
    seen_done.push_back(state.trials_done);
    best_seen_by_callback = state.best_throughput;
    return absl::OkStatus();
  };
  bool finished = false;
  watch.on_finish = [&](const TuneState&) { finished = true; };

  TuneOptions options;
  options.n_trial = 30;
  options.batch_size = 8;
  absl::StatusOr<TuneSummary> summary =
      Tune(task(), "random", TunerOptions(), options, counting, {watch});
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(batch_sizes, (std::vector<int>{8, 8, 8, 6}));  // tail batch
  EXPECT_EQ(seen_done, (std::vector<int>{8, 16, 24, 30}));
  EXPECT_EQ(measured, 30);
  EXPECT_EQ(summary->measured, 30);
  EXPECT_EQ(summary->stop_reason, StopReason::kTrialBudget);
  EXPECT_TRUE(finished);
  ASSERT_TRUE(summary->state.best_config.has_value());
  // The reported best is what the cost function says about that config.
  double cost = synthetic_->cost(*summary->state.best_config);
  EXPECT_DOUBLE_EQ(summary->state.best_result.MedianCost(), cost);
  EXPECT_DOUBLE_EQ(summary->state.best_throughput, task().flop / cost);
  EXPECT_DOUBLE_EQ(best_seen_by_callback, summary->state.best_throughput);
}

TEST_F(TuneLoopTest, EarlyStoppingAfterNTrialsWithoutImprovement) {
  // Grid search on a cost that only gets worse after config 3: the best is
  // at trial 4, so with early_stopping 10 the run ends after trial 14.
  MeasureFunction measure = [](const std::vector<MeasureInput>& inputs)
      -> absl::StatusOr<std::vector<MeasureResult>> {
    std::vector<MeasureResult> results;
    for (const MeasureInput& input : inputs) {
      MeasureResult result;
      int64_t i = input.config.index();
      result.costs = {i <= 3 ? 10.0 - i : 10.0 + i};
      results.push_back(result);
    }
    return results;
  };
  TuneOptions options;
  options.n_trial = 500;
  options.batch_size = 1;
  options.early_stopping = 10;
  absl::StatusOr<TuneSummary> summary =
      Tune(task(), "gridsearch", TunerOptions(), options, measure);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->stop_reason, StopReason::kEarlyStopping);
  EXPECT_EQ(summary->measured, 14);
  EXPECT_EQ(summary->state.best_config->index(), 3);
}

TEST_F(TuneLoopTest, ErrorsEndTheRun) {
  TuneOptions options;
  options.n_trial = 20;
  options.batch_size = 4;
  MeasureFunction broken = [](const std::vector<MeasureInput>&)
      -> absl::StatusOr<std::vector<MeasureResult>> {
    return absl::UnavailableError("no device");
  };
  EXPECT_EQ(Tune(task(), "random", TunerOptions(), options, broken)
                .status()
                .code(),
            absl::StatusCode::kUnavailable);

  MeasureFunction short_results = [](const std::vector<MeasureInput>&)
      -> absl::StatusOr<std::vector<MeasureResult>> {
    return std::vector<MeasureResult>(1);
  };
  EXPECT_EQ(Tune(task(), "random", TunerOptions(), options, short_results)
                .status()
                .code(),
            absl::StatusCode::kInternal);

  Callback failing;
  int calls = 0;
  failing.on_batch = [&](const TuneState&, const std::vector<MeasureInput>&,
                         const std::vector<MeasureResult>&) {
    ++calls;
    return absl::DataLossError("disk full");
  };
  EXPECT_EQ(Tune(task(), "random", TunerOptions(), options,
                 SyntheticMeasure(*synthetic_), {failing})
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(calls, 1);

  options.batch_size = 0;
  EXPECT_FALSE(Tune(task(), "random", TunerOptions(), options,
                    SyntheticMeasure(*synthetic_))
                   .ok());
  options.batch_size = 4;
  // Records could not be read back with args that are not a list.
  tuning::TuningTask bad_args = task();
  bad_args.args = tuning::Json("conv");
  EXPECT_THAT(std::string(Tune(bad_args, "random", TunerOptions(), options,
                               SyntheticMeasure(*synthetic_))
                              .status()
                              .message()),
              HasSubstr("must be a JSON list"));
  TunerOptions typo;
  typo.params = {{"elite_nmu", "2"}};
  EXPECT_THAT(std::string(Tune(task(), "ga", typo, options,
                               SyntheticMeasure(*synthetic_))
                              .status()
                              .message()),
              HasSubstr("no parameter 'elite_nmu'"));
}

TEST_F(TuneLoopTest, LogToFileWritesEveryMeasurement) {
  std::string path = TempPath("tune_log.jsonl");
  absl::StatusOr<Callback> log = LogToFile(path);
  ASSERT_TRUE(log.ok()) << log.status();
  TuneOptions options;
  options.n_trial = 24;
  options.batch_size = 5;
  absl::StatusOr<TuneSummary> summary = Tune(
      task(), "random", TunerOptions(), options, SyntheticMeasure(*synthetic_), {*log});
  ASSERT_TRUE(summary.ok());
  absl::StatusOr<RecordsFile> file = ReadRecords(path);
  ASSERT_TRUE(file.ok());
  ASSERT_EQ(file->records.size(), 24u);
  EXPECT_EQ(file->skipped_lines, 0);
  for (const Record& record : file->records) {
    EXPECT_EQ(record.WorkloadKey(), task().WorkloadKey());
    tuning::Config config = *task().space.FromJson(record.config);
    double cost = synthetic_->cost(config);
    if (std::isinf(cost)) {
      EXPECT_EQ(record.result.error_no, MeasureErrorNo::kRuntimeDevice);
    } else {
      EXPECT_EQ(record.result.costs, std::vector<double>{cost});
    }
  }
  // The best record is the run's best.
  HistoryBest best = HistoryBest::FromRecords(file->records);
  EXPECT_EQ(best.BestConfig(task())->index(),
            summary->state.best_config->index());
  EXPECT_FALSE(LogToFile("/nonexistent-dir/log.jsonl").ok());
}

TEST_F(TuneLoopTest, ResumeSkipsMeasuredConfigs) {
  for (const std::string tuner : {"random", "ga", "xgb_knob"}) {
    std::string path = TempPath("resume_" + tuner + ".jsonl");
    // First run: "interrupted" after 20 trials.
    TuneOptions options;
    options.n_trial = 20;
    options.batch_size = 8;
    options.seed = 5;
    absl::StatusOr<TuneSummary> first =
        Tune(task(), tuner, TunerOptions(), options,
             SyntheticMeasure(*synthetic_), {*LogToFile(path)});
    ASSERT_TRUE(first.ok()) << first.status();
    std::set<int64_t> before;
    absl::StatusOr<RecordsFile> logged = ReadRecords(path);
    ASSERT_TRUE(logged.ok());
    for (const Record& record : logged->records) {
      before.insert(task().space.FromJson(record.config)->index());
    }
    ASSERT_EQ(before.size(), 20u);
    // Records of another workload in the same file are not this task's.
    {
      tuning::TuningTask other = task();
      other.args = tuning::Json(tuning::Json::Array{tuning::Json(7)});
      MeasureResult result;
      result.costs = {1e-9};
      ASSERT_TRUE((*RecordWriter::Open(path))
                      ->Append(MakeRecord({&other, other.space.At(0)}, result))
                      .ok());
    }

    // Second run resumes to a total of 50.
    std::vector<int64_t> remeasured;
    MeasureFunction measure = SyntheticMeasure(*synthetic_);
    MeasureFunction checking = [&](const std::vector<MeasureInput>& inputs) {
      for (const MeasureInput& input : inputs) {
        if (before.count(input.config.index())) {
          remeasured.push_back(input.config.index());
        }
      }
      return measure(inputs);
    };
    options.n_trial = 50;
    const std::vector<Record> earlier = ReadRecords(path)->records;
    options.resume = &earlier;
    absl::StatusOr<TuneSummary> second =
        Tune(task(), tuner, TunerOptions(), options, checking, {*LogToFile(path)});
    ASSERT_TRUE(second.ok()) << second.status();
    EXPECT_TRUE(remeasured.empty()) << tuner;
    EXPECT_EQ(second->state.resumed, 20) << tuner;
    EXPECT_EQ(second->measured, 30) << tuner;
    EXPECT_EQ(second->state.trials_done, 50) << tuner;
    EXPECT_GE(second->state.best_throughput, first->state.best_throughput);
    EXPECT_EQ(ReadRecords(path)->records.size(), 51u);  // 50 + the other one
  }
}

TEST_F(TuneLoopTest, ResumeFromNoRecordsStartsFresh) {
  TuneOptions options;
  options.n_trial = 8;
  const std::vector<Record> none;
  options.resume = &none;
  absl::StatusOr<TuneSummary> summary = Tune(
      task(), "random", TunerOptions(), options, SyntheticMeasure(*synthetic_));
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->state.resumed, 0);
  EXPECT_EQ(summary->measured, 8);
}

}  // namespace
}  // namespace kiln::tuners

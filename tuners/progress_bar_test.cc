#include "tuners/progress_bar.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tuners/testing/synthetic_task.h"

namespace kiln::tuners {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

TEST(ProgressBarTest, FormatsLikeAutoTvm) {
  ProgressLine line;
  line.task_index = 1;
  line.task_count = 25;
  line.current = 17.48;
  line.best = 23.9;
  line.done = 20;
  line.total = 20;
  line.elapsed_seconds = 15.17;
  line.finished = true;
  EXPECT_EQ(FormatProgressLine(line),
            "[Task  1/25]  Current/Best:   17.48/  23.90 GFLOPS | "
            "Progress: (20/20) | 15.17 s Done.");
  line.finished = false;
  line.task_index = 12;
  line.best = 1234.567;
  line.done = 8;
  line.total = 1000;
  EXPECT_EQ(FormatProgressLine(line),
            "[Task 12/25]  Current/Best:   17.48/1234.57 GFLOPS | "
            "Progress: (8/1000) | 15.17 s");
}

std::string ReadAll(std::FILE* file) {
  std::rewind(file);
  std::string text;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0) {
    text.append(buffer, n);
  }
  return text;
}

std::string RunWithBar(ProgressBarOptions::Mode mode) {
  std::unique_ptr<testing::SyntheticTask> synthetic =
      testing::MakeConv2dLikeTask();
  std::FILE* out = std::tmpfile();
  ProgressBarOptions options;
  options.task_index = 2;
  options.task_count = 3;
  options.out = out;
  options.mode = mode;
  TuneOptions tune;
  tune.n_trial = 20;
  tune.batch_size = 8;
  absl::StatusOr<TuneSummary> summary =
      Tune(synthetic->task, "random", TunerOptions(), tune,
           testing::SyntheticMeasure(*synthetic), {ProgressBar(options)});
  EXPECT_TRUE(summary.ok());
  std::string text = ReadAll(out);
  std::fclose(out);
  return text;
}

TEST(ProgressBarTest, PlainLinesWhenNotATerminal) {
  // A temporary file is not a terminal, so kAuto writes lines.
  std::string text = RunWithBar(ProgressBarOptions::Mode::kAuto);
  EXPECT_EQ(text.find('\r'), std::string::npos);
  std::vector<std::string> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 4u);  // batches of 8, 8, 4, then Done
  const char* pattern =
      R"(\[Task  2/ 3\]  Current/Best: +[0-9]+\.[0-9]{2}/ *[0-9]+\.[0-9]{2} )"
      R"(GFLOPS \| Progress: \(%d/%d\) \| [0-9]+\.[0-9]{2} s%s)";
  EXPECT_THAT(lines[0], MatchesRegex(absl::StrFormat(pattern, 8, 20, "")));
  EXPECT_THAT(lines[2], MatchesRegex(absl::StrFormat(pattern, 20, 20, "")));
  EXPECT_THAT(lines[3], MatchesRegex(absl::StrFormat(pattern, 20, 20, " Done\\.")));
}

TEST(ProgressBarTest, InPlaceOnATerminal) {
  std::string text = RunWithBar(ProgressBarOptions::Mode::kInPlace);
  // Every update rewrites the line; only the final one ends it.
  EXPECT_EQ(std::count(text.begin(), text.end(), '\r'), 4);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  EXPECT_THAT(text, HasSubstr("Progress: (20/20)"));
  EXPECT_EQ(text.back(), '\n');
  EXPECT_THAT(text, HasSubstr(" Done.\n"));
}

TEST(ProgressBarTest, RunsPerSecondWithoutAFlopCount) {
  tuning::TuningTask task;
  task.name = "no_flops";
  ASSERT_TRUE(task.space.DefineBool("u").ok());
  std::FILE* out = std::tmpfile();
  ProgressBarOptions options;
  options.out = out;
  MeasureFunction measure = [](const std::vector<MeasureInput>& inputs)
      -> absl::StatusOr<std::vector<MeasureResult>> {
    std::vector<MeasureResult> results(inputs.size());
    for (MeasureResult& r : results) r.costs = {0.5};
    return results;
  };
  TuneOptions tune;
  tune.n_trial = 5;  // the space has 2: stops at 2 and says so
  ASSERT_TRUE(Tune(task, "gridsearch", TunerOptions(), tune, measure,
                   {ProgressBar(options)})
                  .ok());
  std::string text = ReadAll(out);
  std::fclose(out);
  EXPECT_THAT(text, HasSubstr("Current/Best:    2.00/   2.00 runs/s"));
  EXPECT_THAT(text, HasSubstr("Progress: (2/2)"));
}

}  // namespace
}  // namespace kiln::tuners

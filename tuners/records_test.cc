#include "tuners/records.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kiln::tuners {
namespace {

using ::testing::HasSubstr;

std::string TempPath(absl::string_view name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string path = absl::StrCat(dir ? dir : "/tmp", "/", name);
  std::remove(path.c_str());
  return path;
}

class RecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    task_.name = "conv2d_NCHWc.x86";
    task_.target = "llvm -mcpu=skylake-avx512";
    task_.args = *tuning::ParseJson(R"([[1,64,56,56],[64,64,3,3],"float32"])");
    ASSERT_TRUE(task_.space.DefineSplit("tile_oc", 64, 2).ok());
    ASSERT_TRUE(task_.space.DefineBool("unroll_kw").ok());
  }

  Record Make(int64_t index, std::vector<double> costs,
              MeasureErrorNo error = MeasureErrorNo::kNoError) {
    MeasureResult result;
    result.costs = std::move(costs);
    result.error_no = error;
    if (error != MeasureErrorNo::kNoError) result.error_msg = "it broke:\n\"x\"";
    result.all_cost = 1.25;
    result.timestamp = 1718000000.5;
    return MakeRecord({&task_, task_.space.At(index)}, result);
  }

  tuning::TuningTask task_;
};

TEST_F(RecordsTest, JsonRoundTrip) {
  Record record = Make(9, {0.00121, 0.00119, 1.0 / 3.0});
  std::string line = RecordToJson(record).Dump();
  EXPECT_THAT(line, HasSubstr(R"("version":"kiln-records-v1")"));
  EXPECT_THAT(line, HasSubstr(R"("task":"conv2d_NCHWc.x86")"));
  EXPECT_THAT(line, HasSubstr(R"(["tile_oc","sp",[-1,4]])"));
  absl::StatusOr<Record> back = RecordFromJson(*tuning::ParseJson(line));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->target, record.target);
  EXPECT_EQ(back->task_name, record.task_name);
  EXPECT_EQ(back->args, record.args);
  EXPECT_EQ(back->config, record.config);
  EXPECT_EQ(back->result.costs, record.result.costs);  // bit-exact
  EXPECT_EQ(back->result.error_no, MeasureErrorNo::kNoError);
  EXPECT_EQ(back->result.all_cost, 1.25);
  EXPECT_EQ(back->result.timestamp, 1718000000.5);
  EXPECT_EQ(task_.space.FromJson(back->config)->index(), 9);

  Record failed = Make(3, {}, MeasureErrorNo::kRunTimeout);
  back = RecordFromJson(*tuning::ParseJson(RecordToJson(failed).Dump()));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->result.error_no, MeasureErrorNo::kRunTimeout);
  EXPECT_EQ(back->result.error_msg, "it broke:\n\"x\"");
}

TEST_F(RecordsTest, StrictFieldValidation) {
  tuning::Json good = RecordToJson(Make(1, {0.5}));
  auto without = [&](absl::string_view key) {
    tuning::Json copy{tuning::Json::Object{}};
    for (const auto& [k, v] : good.as_object()) {
      if (k != key) copy.Set(k, v);
    }
    return copy;
  };
  for (absl::string_view key :
       {"version", "target", "task", "args", "config", "result"}) {
    EXPECT_FALSE(RecordFromJson(without(key)).ok()) << key;
  }
  auto mutate = [&](absl::string_view text) {
    return RecordFromJson(*tuning::ParseJson(text)).status();
  };
  std::string base = good.Dump();
  auto replace = [&](absl::string_view from, absl::string_view to) {
    std::string copy = base;
    size_t at = copy.find(std::string(from));
    EXPECT_NE(at, std::string::npos) << from;
    copy.replace(at, from.size(), std::string(to));
    return copy;
  };
  EXPECT_THAT(std::string(mutate(replace("kiln-records-v1", "kiln-records-v9")).message()),
              HasSubstr("unsupported records version"));
  EXPECT_THAT(std::string(mutate(replace("\"NO_ERROR\"", "\"OOPS\"")).message()),
              HasSubstr("unknown measure error"));
  EXPECT_THAT(std::string(mutate(replace("[0.5]", "[-0.5]")).message()),
              HasSubstr("costs must be finite"));
  EXPECT_THAT(std::string(mutate(replace("[0.5]", "[null]")).message()),
              HasSubstr("costs must be finite"));
  EXPECT_THAT(std::string(mutate(replace("[0.5]", "[]")).message()),
              HasSubstr("NO_ERROR without costs"));
  EXPECT_FALSE(mutate(replace("\"entity\"", "\"entities\"")).ok());
}

TEST_F(RecordsTest, WriterAppendsAndReaderSkipsGarbage) {
  std::string path = TempPath("records_garbage.jsonl");
  {
    auto writer = RecordWriter::Open(path);
    ASSERT_TRUE(writer.ok()) << writer.status();
    ASSERT_TRUE((*writer)->Append(Make(0, {0.3})).ok());
    ASSERT_TRUE((*writer)->Append(Make(1, {0.2})).ok());
  }
  {
    std::ofstream out(path, std::ios::app);
    out << "not json at all\n"
        << "\n"
        << "   \n"
        << R"({"version":"kiln-records-v1"})" << "\n"
        << "[1,2,3]\n";
  }
  {
    auto writer = RecordWriter::Open(path);  // reopened: appends
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Append(Make(2, {0.1})).ok());
  }
  // A run killed mid-write leaves half a line at the end.
  std::string full = RecordToJson(Make(3, {0.05})).Dump();
  {
    std::ofstream out(path, std::ios::app);
    out << full.substr(0, full.size() / 2);
  }
  absl::StatusOr<RecordsFile> file = ReadRecords(path);
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_EQ(file->records.size(), 3u);
  EXPECT_EQ(file->skipped_lines, 4);  // garbage, object, array, truncated
  EXPECT_EQ(task_.space.FromJson(file->records[2].config)->index(), 2);

  // Appending after the truncated line starts a fresh line, so the new
  // record is not glued onto the broken one.
  {
    auto writer = RecordWriter::Open(path);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Append(Make(3, {0.05})).ok());
  }
  file = ReadRecords(path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->records.size(), 4u);
  EXPECT_EQ(file->skipped_lines, 4);
}

TEST_F(RecordsTest, ReadErrors) {
  EXPECT_EQ(ReadRecords(TempPath("does_not_exist.jsonl")).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_FALSE(RecordWriter::Open("/nonexistent-dir/x.jsonl").ok());
  RecordsFile empty = ParseRecords("", "mem");
  EXPECT_TRUE(empty.records.empty());
  EXPECT_EQ(empty.skipped_lines, 0);
  // Binary junk and a huge line do not crash the reader.
  std::string junk = "\x01\xff{{{[[[\"\\u";
  junk += std::string(1 << 16, '[');
  RecordsFile parsed = ParseRecords(junk + "\n" + junk, "mem");
  EXPECT_EQ(parsed.skipped_lines, 2);
}

// Two tuning processes appending to one records file: every line stays
// whole. Long lines (a record with a long error message) make interleaving
// likely if the writers did not take the file lock.
TEST_F(RecordsTest, ConcurrentWritersNeverInterleaveLines) {
  const std::string path = TempPath("records_concurrent.jsonl");
  constexpr int kWriters = 4, kEach = 150;
  std::vector<pid_t> children;
  for (int w = 0; w < kWriters; ++w) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto writer = RecordWriter::Open(path);
      if (!writer.ok()) _exit(1);
      for (int i = 0; i < kEach; ++i) {
        Record r = Make(i % 8, {}, MeasureErrorNo::kRuntimeDevice);
        r.result.error_msg = std::string(20000 + w, static_cast<char>('a' + w));
        if (!(*writer)->Append(r).ok()) _exit(2);
      }
      _exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  auto file = ReadRecords(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->records.size(), static_cast<size_t>(kWriters * kEach));
  EXPECT_EQ(file->skipped_lines, 0);
}

// A full disk, simulated by a file size limit, in a child process: the
// failing append is a clear error, and the partial line it may have written
// is removed, so the records before it stay valid and later appends work.
TEST_F(RecordsTest, AFullDiskIsAClearErrorThatLeavesEarlierRecordsIntact) {
  const std::string path = TempPath("records_full.jsonl");
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto writer = RecordWriter::Open(path);
    if (!writer.ok() || !(*writer)->Append(Make(0, {0.3})).ok() ||
        !(*writer)->Append(Make(1, {0.2})).ok()) {
      _exit(1);
    }
    struct stat st;
    stat(path.c_str(), &st);
    // Room for part of the next line only; exceeding it fails write() with
    // EFBIG, as a full disk fails it with ENOSPC.
    signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{static_cast<rlim_t>(st.st_size + 40), static_cast<rlim_t>(st.st_size + 40)};
    setrlimit(RLIMIT_FSIZE, &limit);
    absl::Status st2 = (*writer)->Append(Make(2, {0.1}));
    if (st2.ok()) _exit(2);
    if (st2.message().find("cannot append to records file") == absl::string_view::npos ||
        st2.message().find("the records before are intact") == absl::string_view::npos) {
      _exit(3);
    }
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto file = ReadRecords(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->records.size(), 2u);
  EXPECT_EQ(file->skipped_lines, 0);
  auto writer = RecordWriter::Open(path);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append(Make(2, {0.1})).ok());
  file = ReadRecords(path);
  EXPECT_EQ(file->records.size(), 3u);
  EXPECT_EQ(file->skipped_lines, 0);
}

TEST_F(RecordsTest, UnwritableRecordsPathsAreClearErrors) {
  // Tests may run as root, which may write anywhere writable at all: a
  // folder, a missing folder, and a path through a file.
  const std::string folder = TempPath("records_folder");
  ASSERT_EQ(mkdir(folder.c_str(), 0755), 0);
  const std::string file = TempPath("records_plain_file");
  std::ofstream(file) << "x\n";
  for (const std::string& path : {std::string("/nonexistent-dir/x.jsonl"), folder, file + "/x"}) {
    auto writer = RecordWriter::Open(path);
    ASSERT_FALSE(writer.ok()) << path;
    EXPECT_THAT(std::string(writer.status().message()),
                HasSubstr("cannot open records file " + path + " for appending: "));
  }
}

TEST_F(RecordsTest, ApplyHistoryBestPicksTheBestValidPerWorkload) {
  tuning::TuningTask other = task_;
  other.args = *tuning::ParseJson(R"([[1,128,28,28],[128,128,3,3],"float32"])");
  tuning::TuningTask other_target = task_;
  other_target.target = "llvm -mcpu=znver3";

  std::string path = TempPath("records_best.jsonl");
  {
    auto writer = *RecordWriter::Open(path);
    ASSERT_TRUE(writer->Append(Make(0, {0.30, 0.30})).ok());
    // Fastest, but failed: never picked.
    ASSERT_TRUE(writer->Append(Make(1, {0.01}, MeasureErrorNo::kWrongAnswer)).ok());
    ASSERT_TRUE(writer->Append(Make(5, {0.10, 0.30})).ok());  // mean 0.20
    ASSERT_TRUE(writer->Append(Make(6, {0.25, 0.05})).ok());  // mean 0.15: best
    ASSERT_TRUE(writer->Append(Make(7, {0.15})).ok());        // tie: later loses
    MeasureResult result;
    result.costs = {0.5};
    ASSERT_TRUE(writer->Append(MakeRecord({&other, other.space.At(2)}, result)).ok());
    result.error_no = MeasureErrorNo::kCompileHost;
    ASSERT_TRUE(writer->Append(
        MakeRecord({&other_target, other_target.space.At(3)}, result)).ok());
  }
  absl::StatusOr<HistoryBest> best = ApplyHistoryBest(path);
  ASSERT_TRUE(best.ok()) << best.status();
  EXPECT_EQ(best->num_workloads(), 2);  // other_target has no valid record
  absl::StatusOr<tuning::Config> config = best->BestConfig(task_);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->index(), 6);
  EXPECT_EQ(best->BestConfig(other)->index(), 2);
  EXPECT_EQ(best->BestConfig(other_target).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(best->Find(other_target), nullptr);
  ASSERT_NE(best->Find(task_), nullptr);
  EXPECT_DOUBLE_EQ(best->Find(task_)->result.MedianCost(), 0.15);
}

TEST_F(RecordsTest, InModelRecordsDecideWhereAWorkloadHasThem) {
  // Config 5 won alone; inside the model its steps took longer than the
  // default's (config 0), so the default is what gets compiled.
  Record default_in_model = Make(0, {0.020, 0.021});
  Record pick_in_model = Make(5, {0.024, 0.023});
  default_in_model.in_model = pick_in_model.in_model = true;
  std::vector<Record> records = {Make(0, {0.30}), Make(5, {0.10}), default_in_model,
                                 pick_in_model};
  HistoryBest best = HistoryBest::FromRecords(records);
  EXPECT_EQ(best.BestConfig(task_)->index(), 0);
  EXPECT_DOUBLE_EQ(best.Find(task_)->result.MedianCost(), 0.0205);
  // The isolated ranking and lookups still see the isolated samples only.
  EXPECT_EQ(best.RankedConfigs(task_, 1)[0].index(), 5);
  EXPECT_DOUBLE_EQ(best.FindConfig(task_, task_.space.At(5))->result.MedianCost(), 0.10);
  EXPECT_DOUBLE_EQ(
      best.FindConfig(task_, task_.space.At(5), /*in_model=*/true)->result.MedianCost(), 0.0235);
  EXPECT_EQ(best.FindConfig(task_, task_.space.At(6), /*in_model=*/true), nullptr);

  // The flag survives a round trip and is absent from ordinary records.
  auto back = RecordFromJson(RecordToJson(pick_in_model));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->in_model);
  EXPECT_EQ(RecordToJson(Make(0, {0.1})).Find("in_model"), nullptr);
  tuning::Json bad = RecordToJson(Make(5, {0.1}));
  bad.Set("in_model", tuning::Json("yes"));
  EXPECT_EQ(RecordFromJson(bad).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RecordsTest, AConfigIsJudgedOnAllItsSamples) {
  // Config 3 got one lucky sample, then three slow ones when measured
  // again; config 5 is steadily faster than 3 really is.
  std::vector<Record> records = {Make(3, {0.05}), Make(5, {0.10, 0.12}),
                                 Make(3, {0.30, 0.31, 0.29}), Make(5, {0.11})};
  HistoryBest best = HistoryBest::FromRecords(records);
  ASSERT_NE(best.Find(task_), nullptr);
  EXPECT_EQ(best.BestConfig(task_)->index(), 5);
  EXPECT_DOUBLE_EQ(best.Find(task_)->result.MedianCost(), 0.11);
  const std::vector<tuning::Config> ranked = best.RankedConfigs(task_, 5);
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_EQ(ranked[0].index(), 5);
  EXPECT_EQ(ranked[1].index(), 3);
  EXPECT_EQ(best.RankedConfigs(task_, 1).size(), 1u);
}

TEST_F(RecordsTest, BestConfigFallsBackWhenTheSpaceChanged) {
  std::vector<Record> records = {Make(4, {0.1}), Make(2, {0.2})};
  // Config 4 is tile_oc [-1, 16], unroll False; the changed space has no
  // inner 16 any more, so the next best, config 2 ([-1, 4]), is taken.
  tuning::TuningTask changed = task_;
  changed.space = tuning::ConfigSpace();
  tuning::SplitOptions options;
  options.filter = [](absl::Span<const int64_t> e) { return e[1] != 16; };
  ASSERT_TRUE(changed.space.DefineSplit("tile_oc", 64, 2, options).ok());
  ASSERT_TRUE(changed.space.DefineBool("unroll_kw").ok());
  HistoryBest best = HistoryBest::FromRecords(records);
  absl::StatusOr<tuning::Config> config = best.BestConfig(changed);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->ToString(), task_.space.At(2).ToString());
}

}  // namespace
}  // namespace kiln::tuners

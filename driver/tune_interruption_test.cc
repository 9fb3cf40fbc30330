// `kiln tune` never loses work: killed with SIGKILL at any moment, a rerun
// resumes with every record written so far; interrupted with SIGINT, it
// stops after the trials being measured, records them and says how to
// resume.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <string>
#include <thread>

#include "driver/test_command.h"
#include "gtest/gtest.h"
#include "tuners/records.h"

namespace kiln::driver {
namespace {

// One small ResNet-50 v2: its first convolution is the task tuned.
class TuneInterruptionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    model_ = Tmp("resnet.onnx");
    Result gen = Sh("frontend/generate_resnet50_v2 --image_size=32 --width=8 --classes=10 "
                    "--output=" + model_);
    ASSERT_EQ(gen.exit_code, 0) << gen.output;
  }

  static std::string TuneCommand(const std::string& records, int trials) {
    return "driver/kiln tune " + model_ + " --target=llvm --tuner=random --max_tasks=1 " +
           "--repeat=1 --timeout=5 --trials=" + std::to_string(trials) + " --output=" + records;
  }

  // Starts `command` with sh in its own process group (so a signal reaches
  // it alone), its output going to `log`.
  static pid_t Start(const std::string& command, const std::string& log) {
    const pid_t pid = fork();
    if (pid == 0) {
      setpgid(0, 0);
      execl("/bin/sh", "sh", "-c", ("exec " + command + " > " + log + " 2>&1").c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    return pid;
  }

  static int Wait(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
  }

  // Records in the file, waiting up to a minute for at least `at_least`.
  static int RecordsWhenAtLeast(const std::string& path, int at_least) {
    for (int i = 0; i < 600; ++i) {
      auto file = tuners::ReadRecords(path);
      if (file.ok() && static_cast<int>(file->records.size()) >= at_least) {
        return static_cast<int>(file->records.size());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return -1;
  }

  static std::string model_;
};
std::string TuneInterruptionTest::model_;

TEST_F(TuneInterruptionTest, SigkillAtAnyMomentThenARerunResumes) {
  const std::string records = Tmp("killed.json");
  std::remove(records.c_str());
  constexpr int kTrials = 24;
  std::mt19937 rng(7);
  int before = 0;
  for (int kill = 0; kill < 4; ++kill) {
    const pid_t pid = Start(TuneCommand(records, kTrials), Tmp("killed.log"));
    // Once the run has recorded something of its own, at a random moment.
    ASSERT_GT(RecordsWhenAtLeast(records, before + 1), before)
        << ReadFile(Tmp("killed.log"));
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 400));
    ::kill(pid, SIGKILL);
    const int status = Wait(pid);
    if (WIFEXITED(status)) break;  // it finished first: nothing left to kill
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
    auto file = tuners::ReadRecords(records);
    ASSERT_TRUE(file.ok()) << file.status();
    // Every record written before the kill is there and whole: a line is
    // one write(), which SIGKILL does not cut.
    EXPECT_EQ(file->skipped_lines, 0);
    EXPECT_GT(static_cast<int>(file->records.size()), before);
    before = static_cast<int>(file->records.size());
  }
  Result rerun = Sh(TuneCommand(records, kTrials));
  ASSERT_EQ(rerun.exit_code, 0) << rerun.output;
  EXPECT_NE(rerun.output.find("resuming from " + records + ": " + std::to_string(before) +
                              " records of earlier runs"),
            std::string::npos)
      << rerun.output;
  auto file = tuners::ReadRecords(records);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->skipped_lines, 0);
  // The trials of the killed runs count: the rerun measured only what was
  // left (besides confirming the best), not the whole budget again.
  const int rerun_records = static_cast<int>(file->records.size()) - before;
  EXPECT_LT(rerun_records, kTrials + 1 + 8) << rerun.output;
}

TEST_F(TuneInterruptionTest, SigintStopsAfterTheCurrentTrialsAndSaysHowToResume) {
  const std::string records = Tmp("interrupted.json");
  std::remove(records.c_str());
  const std::string log = Tmp("interrupted.log");
  const pid_t pid = Start(TuneCommand(records, 100000), log);
  ASSERT_GT(RecordsWhenAtLeast(records, 2), 0) << ReadFile(log);
  ::kill(pid, SIGINT);
  const int status = Wait(pid);
  ASSERT_TRUE(WIFEXITED(status)) << "a first SIGINT lets kiln stop by itself: " << status;
  EXPECT_NE(WEXITSTATUS(status), 0);
  const std::string output = ReadFile(log);
  EXPECT_NE(output.find("stopping after the trials being measured"), std::string::npos)
      << output;
  auto file = tuners::ReadRecords(records);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->skipped_lines, 0);
  EXPECT_NE(output.find("interrupted; " + std::to_string(file->records.size()) +
                        " records are saved in " + records),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("run the same command again to resume"), std::string::npos) << output;
}

}  // namespace
}  // namespace kiln::driver

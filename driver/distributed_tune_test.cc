// `kiln tune --broker` end to end, as a user runs it: a redis-server and two
// kiln_worker processes on loopback ports (started and stopped here), a
// tuning host killed mid-run and rerun, records compiled into a model.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "driver/test_command.h"
#include "gtest/gtest.h"
#include "runtime/remote/testing/processes.h"
#include "runtime/npy_format.h"
#include "tuners/records.h"

namespace kiln::driver {
namespace {

using remote::testing::Process;
using remote::testing::RedisServer;

const char kKiln[] = "driver/kiln";
const char kDeploy[] = "driver/kiln_deploy";
const char kWorker[] = "driver/kiln_worker";

int CountLines(const std::string& path) {
  std::ifstream in(path);
  int lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  return lines;
}

TEST(DistributedTuneTest, TwoWorkersTuneAModelWhoseRecordsCompileAfterTheHostWasKilled) {
  const std::string model = Tmp("resnet.onnx");
  Result gen = Sh(std::string("frontend/generate_resnet50_v2 --image_size=32 --width=8 "
                              "--classes=10 --output=") + model);
  ASSERT_EQ(gen.exit_code, 0) << gen.output;
  auto server = RedisServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  std::vector<std::unique_ptr<Process>> workers;
  for (const char* name : {"w1", "w2"}) {
    auto w = Process::Start({kWorker, "--broker=" + (*server)->url(), "--device_key=native",
                             std::string("--name=") + name, "--lease_s=2"},
                            Tmp(std::string(name) + ".log"));
    ASSERT_TRUE(w.ok()) << w.status();
    workers.push_back(*std::move(w));
  }
  const std::string records = Tmp("records.json");
  const std::vector<std::string> tune = {
      kKiln, "tune", model, "--target=llvm -mcpu=native", "--tuner=random", "--trials=6",
      "--max_tasks=2", "--repeat=1", "--broker=" + (*server)->url(), "--device_key=native",
      "--worker_timeout=30", "--output=" + records};
  {
    // The host dies (SIGKILL) once a few measurements are in.
    auto host = Process::Start(tune, Tmp("host1.log"));
    ASSERT_TRUE(host.ok()) << host.status();
    for (int i = 0; i < 600 && CountLines(records) < 4 && (*host)->Running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    (*host)->Signal(SIGKILL);
    (*host)->Wait();
  }
  const int before = CountLines(records);
  ASSERT_GE(before, 1) << ReadFile(Tmp("host1.log"));
  auto rerun = Process::Start(tune, Tmp("host2.log"));
  ASSERT_TRUE(rerun.ok());
  ASSERT_EQ((*rerun)->Wait(), 0) << ReadFile(Tmp("host2.log"));
  const std::string out = ReadFile(Tmp("host2.log"));
  EXPECT_NE(out.find("resuming from"), std::string::npos) << out;
  EXPECT_NE(out.find("[Task  2/ 2]"), std::string::npos) << out;

  // Every record is whole and came from a measurement (no stale or doubled
  // reply broke one), and both tasks have a measured pick.
  auto file = tuners::ReadRecords(records);
  ASSERT_TRUE(file.ok()) << file.status();
  std::set<std::string> tasks;
  for (const tuners::Record& r : file->records) {
    EXPECT_NE(r.result.error_no, tuners::MeasureErrorNo::kUnknownError) << r.result.error_msg;
    if (r.result.ok()) tasks.insert(r.WorkloadKey());
  }
  EXPECT_EQ(tasks.size(), 2u);

  // Compiled with these records as with local ones: two workloads tuned,
  // outputs equal to the untuned model's.
  const std::string tuned = Tmp("tuned.so"), untuned = Tmp("untuned.so");
  Result compile = Sh(std::string(kKiln) + " compile " + model +
                      " --target=\"llvm -mcpu=native\" --tuning_records=" + records +
                      " --output=" + tuned);
  ASSERT_EQ(compile.exit_code, 0) << compile.output;
  EXPECT_NE(compile.output.find("2 of 24 tunable workloads compiled with their best record"),
            std::string::npos)
      << compile.output;
  ASSERT_EQ(Sh(std::string(kKiln) + " compile " + model +
               " --target=\"llvm -mcpu=native\" --output=" + untuned)
                .exit_code,
            0);
  const std::string a = Tmp("a.npz"), b = Tmp("b.npz");
  ASSERT_EQ(Sh(std::string(kDeploy) + " " + tuned + " --outputs=" + a).exit_code, 0);
  ASSERT_EQ(Sh(std::string(kDeploy) + " " + untuned + " --outputs=" + b).exit_code, 0);
  auto ta = runtime::ReadNpzFile(a);
  auto tb = runtime::ReadNpzFile(b);
  ASSERT_TRUE(ta.ok() && tb.ok());
  const runtime::NDArray& x = (*ta)[0].second;
  const runtime::NDArray& y = (*tb)[0].second;
  double max_abs = 0, max_diff = 0;
  for (int64_t i = 0; i < x.NumElements(); ++i) {
    max_abs = std::max(max_abs, std::fabs(double{y.data<float>()[i]}));
    max_diff = std::max(max_diff, std::fabs(double{x.data<float>()[i]} - y.data<float>()[i]));
  }
  EXPECT_LE(max_diff, 1e-4 * max_abs);

  // Both workers took part and stop cleanly.
  for (size_t i = 0; i < workers.size(); ++i) {
    EXPECT_TRUE(workers[i]->Running());
    workers[i]->Signal(SIGTERM);
    EXPECT_EQ(workers[i]->Wait(), 0);
    const std::string log = ReadFile(Tmp(absl::StrCat("w", i + 1, ".log")));
    EXPECT_NE(log.find("joined"), std::string::npos) << log;
    EXPECT_NE(log.find("stopped after"), std::string::npos) << log;
    EXPECT_EQ(log.find("stopped after 0 jobs"), std::string::npos) << log;
  }
}

TEST(DistributedTuneTest, TheWorkerLinksNoCompilerLibrariesAndFlagsAreChecked) {
  Result ldd = Sh(std::string("ldd ") + kWorker);
  ASSERT_EQ(ldd.exit_code, 0) << ldd.output;
  for (const char* lib : {"libLLVM", "libonnx", "libprotobuf", "libxgboost"}) {
    EXPECT_EQ(ldd.output.find(lib), std::string::npos) << lib << " in\n" << ldd.output;
  }
  Result usage = Sh(kWorker);
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.output.find("--device_key"), std::string::npos) << usage.output;
  Result bad = Sh(std::string(kWorker) + " --broker=localhost:1 --device_key=k");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("redis://"), std::string::npos) << bad.output;
  Result alone = Sh(std::string(kKiln) + " tune /nonexistent/model.onnx --device_key=k --output=" +
                    Tmp("r.json"));
  EXPECT_EQ(alone.exit_code, 1);
  EXPECT_NE(alone.output.find("--broker and --device_key go together"), std::string::npos)
      << alone.output;
  Result nobody = Sh(std::string(kKiln) + " tune /nonexistent/model.onnx --broker=redis://h:1 "
                     "--device_key=k --worker_timeout=0 --output=" + Tmp("r.json"));
  EXPECT_EQ(nobody.exit_code, 1) << nobody.output;
}

}  // namespace
}  // namespace kiln::driver

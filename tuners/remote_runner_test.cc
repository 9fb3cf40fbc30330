// Distributed measurement against a real redis-server and real kiln_worker
// processes, all started (and stopped) by the test on loopback ports: two
// workers measuring like local measurement, and the faults of the design.
#include "tuners/remote_runner.h"

#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/ops/conv2d_nchwc_template.h"
#include "runtime/remote/protocol.h"
#include "runtime/remote/redis_client.h"
#include "runtime/remote/testing/processes.h"
#include "runtime/cpu_features.h"
#include "targets/target_parser.h"
#include "tuners/kernel_measure.h"
#include "tuners/tune_loop.h"

namespace kiln::tuners {
namespace {

using remote::testing::Process;
using remote::testing::RedisServer;
using ::testing::HasSubstr;

constexpr char kWorker[] = "driver/kiln_worker";
constexpr char kDevice[] = "test-cpu";

ir::ops::Conv2dWorkload SmallConv() {
  ir::ops::Conv2dWorkload w;
  w.in_channels = 16, w.height = w.width = 6, w.out_channels = 16;
  w.kernel_h = w.kernel_w = 3, w.pad_h = w.pad_w = 1;
  return w;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class RemoteRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    remote_.broker = server_->url();
    remote_.device_key = kDevice;
    remote_.worker_timeout_s = 20;
    option_.repeat = 2;
  }

  std::string LogOf(const std::string& name) {
    return absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name, ".log");
  }

  std::unique_ptr<Process> StartWorker(const std::string& name,
                                       std::vector<std::string> flags = {}) {
    std::vector<std::string> argv = {kWorker, "--broker=" + server_->url(),
                                     absl::StrCat("--device_key=", kDevice), "--name=" + name,
                                     "--lease_s=1", "--reconnect_timeout_s=30"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    auto p = Process::Start(argv, LogOf(name));
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *std::move(p) : nullptr;
  }

  std::unique_ptr<remote::RedisClient> Client() {
    return *remote::RedisClient::Connect(*remote::ParseBrokerUrl(server_->url()));
  }

  absl::StatusOr<MeasureFunction> Measure(const RemoteOptions& remote) {
    return MakeRemoteMeasure(ir::ops::Conv2dNCHWcHarness(w_), target_, option_, reference_,
                             remote);
  }

  std::vector<MeasureInput> Inputs(int n) {
    std::vector<MeasureInput> inputs;
    for (int i = 0; i < n; ++i) inputs.push_back({&task_, task_.space.At(i % task_.space.size())});
    return inputs;
  }

  std::unique_ptr<RedisServer> server_;
  RemoteOptions remote_;
  MeasureOption option_;
  targets::Target target_ = *targets::ParseTarget("llvm -mcpu=native");
  ir::ops::Conv2dWorkload w_ = SmallConv();
  tuning::TuningTask task_ = *ir::ops::MakeConv2dNCHWcTask(w_, target_);
  tuning::Config reference_ =
      *ir::ops::Conv2dNCHWcTaskConfig(task_, ir::ops::DefaultConv2dNCHWcConfig(w_, target_));
};

TEST_F(RemoteRunnerTest, TwoWorkersMeasureAsLocalMeasurementDoes) {
  auto a = StartWorker("a"), b = StartWorker("b");
  auto measure = Measure(remote_);
  ASSERT_TRUE(measure.ok()) << measure.status();
  auto local = MakeKernelMeasure(ir::ops::Conv2dNCHWcHarness(w_), target_, option_, reference_);
  ASSERT_TRUE(local.ok()) << local.status();
  std::vector<MeasureInput> seen;
  std::vector<MeasureResult> results;
  Callback keep;
  keep.on_batch = [&](const TuneState&, const std::vector<MeasureInput>& in,
                      const std::vector<MeasureResult>& out) {
    seen.insert(seen.end(), in.begin(), in.end());
    results.insert(results.end(), out.begin(), out.end());
    return absl::OkStatus();
  };
  TuneOptions tune;
  tune.n_trial = 8;
  tune.batch_size = 4;
  auto summary = Tune(task_, "random", TunerOptions{}, tune, *measure, {keep});
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->measured, 8);
  ASSERT_EQ(results.size(), 8u);
  auto again = (*local)(seen);
  ASSERT_TRUE(again.ok()) << again.status();
  for (size_t i = 0; i < results.size(); ++i) {
    // The same verdict as here, and as many samples.
    EXPECT_EQ(results[i].error_no, (*again)[i].error_no) << results[i].error_msg;
    EXPECT_EQ(results[i].costs.size(), (*again)[i].costs.size());
    if (results[i].ok()) {
      EXPECT_GT(results[i].MedianCost(), 0);
    }
  }
  // Both joined and said what CPU they have.
  auto info = Client()->Command({"HGETALL", remote::WorkerInfoKey(kDevice)});
  ASSERT_TRUE(info.ok());
  ASSERT_EQ(info->elements.size(), 4u);
  EXPECT_THAT(info->elements[1].str, HasSubstr("features:"));
  // SIGTERM stops a worker cleanly.
  a->Signal(SIGTERM);
  EXPECT_EQ(a->Wait(), 0);
  EXPECT_THAT(ReadAll(LogOf("a")), HasSubstr("stopped after"));
}

TEST_F(RemoteRunnerTest, CrashingAndWrongCandidatesAreRecordsAndTheWorkerSurvives) {
  auto a = StartWorker("a");
  option_.timeout_s = 1.0;
  tuning::KernelHarness harness = ir::ops::Conv2dNCHWcHarness(w_);
  auto honest_build = harness.build;
  const int64_t reference_index = reference_.index();
  ir::ops::Conv2dWorkload relu = w_;
  relu.activation = ir::ops::Activation::kRelu;
  // Candidate 0 writes far outside its output, 1 never finishes, 2 computes
  // ReLU(conv): a wrong answer.
  harness.build = [=](const tuning::Config& c) -> absl::StatusOr<ir::LoweredFunc> {
    if (c.index() == reference_index || c.index() > 2) return honest_build(c);
    if (c.index() == 2) return ir::ops::BuildConv2dNCHWc(relu, *ir::ops::Conv2dNCHWcConfigFrom(c),
                                                         "candidate");
    auto f = honest_build(c);
    if (!f.ok()) return f;
    ir::Buffer out = f->args.back();
    ir::Var i("i");
    if (c.index() == 0) {
      f->body = ir::Store(out, ir::Expr(1.0f), ir::Expr(int64_t{1} << 40));
    } else {
      f->body = ir::For(i, 0, int64_t{1} << 62, ir::ForKind::kSerial,
                        ir::Store(out, ir::Load(out, ir::Expr(0)) * 1.0001f + 1.0f, ir::Expr(0)));
    }
    return f;
  };
  if (reference_index <= 2) GTEST_SKIP() << "the default config is one of the broken ones";
  auto measure = MakeRemoteMeasure(harness, target_, option_, reference_, remote_);
  ASSERT_TRUE(measure.ok()) << measure.status();
  std::vector<MeasureInput> inputs = Inputs(3);
  inputs.push_back({&task_, reference_});
  auto results = (*measure)(inputs);
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ((*results)[0].error_no, MeasureErrorNo::kRuntimeDevice) << (*results)[0].error_msg;
  EXPECT_EQ((*results)[1].error_no, MeasureErrorNo::kRunTimeout) << (*results)[1].error_msg;
  EXPECT_EQ((*results)[2].error_no, MeasureErrorNo::kWrongAnswer) << (*results)[2].error_msg;
  EXPECT_TRUE((*results)[3].ok()) << (*results)[3].error_msg;
  EXPECT_TRUE(a->Running());
}

// Waits until `worker` has a job pending (it is measuring it).
bool WaitForPendingJob(remote::RedisClient& client, const std::string& worker) {
  for (int i = 0; i < 200; ++i) {
    auto pending = client.Command({"XPENDING", remote::JobStream(kDevice), remote::kWorkerGroup,
                                   "-", "+", "10", worker});
    if (pending.ok() && !pending->elements.empty()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST_F(RemoteRunnerTest, AJobOfAKilledWorkerIsTakenOverAndCountedOnce) {
  // "slow" sleeps a minute in its first job, renewing its claim meanwhile.
  auto slow = StartWorker("slow", {"--simulate_ms=60000"});
  auto measure = Measure(remote_);
  ASSERT_TRUE(measure.ok()) << measure.status();
  std::vector<MeasureInput> inputs = {{&task_, reference_}};
  auto run = std::async(std::launch::async, [&] { return (*measure)(inputs); });
  auto client = Client();
  ASSERT_TRUE(WaitForPendingJob(*client, "slow"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // longer than the lease
  ASSERT_TRUE(WaitForPendingJob(*client, "slow")) << "a live worker's job was taken from it";
  slow->Signal(SIGKILL);
  slow->Wait();
  auto rescuer = StartWorker("rescuer");
  auto results = run.get();
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 1u);
  EXPECT_TRUE((*results)[0].ok()) << (*results)[0].error_msg;
  EXPECT_EQ((*results)[0].costs.size(), 2u);  // measured, not slept (the killed one would say 60 s)
  EXPECT_LT((*results)[0].MedianCost(), 30.0);
  EXPECT_THAT(ReadAll(LogOf("rescuer")), HasSubstr("claimed job"));
}

TEST_F(RemoteRunnerTest, AJobThatKeepsKillingItsWorkersEndsAsAnError) {
  auto measure = Measure(remote_);
  ASSERT_TRUE(measure.ok()) << measure.status();
  std::vector<MeasureInput> inputs = {{&task_, reference_}};
  auto run = std::async(std::launch::async, [&] { return (*measure)(inputs); });
  auto client = Client();
  // Four workers in turn take the job and die with it (delivered 4 times).
  for (int i = 0; i < 4; ++i) {
    const std::string name = absl::StrCat("doomed", i);
    auto doomed = StartWorker(name, {"--simulate_ms=60000"});
    ASSERT_TRUE(WaitForPendingJob(*client, name)) << i;
    doomed->Signal(SIGKILL);
    doomed->Wait();
  }
  auto last = StartWorker("last");
  auto results = run.get();
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ((*results)[0].error_no, MeasureErrorNo::kRuntimeDevice);
  EXPECT_THAT((*results)[0].error_msg, HasSubstr("delivered 5 times"));
  EXPECT_TRUE(last->Running());
}

TEST_F(RemoteRunnerTest, StaleJobsAndRepliesOfAKilledHostAreNotTakenForTheRerun) {
  // The killed host's jobs: queued, its run key still alive, never read.
  RemoteOptions quick = remote_;
  quick.worker_timeout_s = 0.5;
  auto killed = Measure(quick);
  ASSERT_TRUE(killed.ok());
  EXPECT_FALSE((*killed)(Inputs(3)).ok());  // nobody measured them
  auto client = Client();
  auto runs = client->Command({"XLEN", remote::JobStream(kDevice)});
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ(runs->integer, 3);
  // Pretend the host died: its run key outlives it for a while.
  auto job = client->Command({"XRANGE", remote::JobStream(kDevice), "-", "+", "COUNT", "1"});
  ASSERT_TRUE(job.ok());
  auto entries = remote::EntriesOfList(*job);
  ASSERT_EQ(entries.size(), 1u);
  const std::string stale_run = entries[0].fields["run"];
  ASSERT_TRUE(client->Command({"SET", remote::RunKey(stale_run), "1", "EX", "60"}).ok());

  auto worker = StartWorker("w");
  auto rerun = Measure(remote_);
  ASSERT_TRUE(rerun.ok());
  auto results = (*rerun)(Inputs(2));
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 2u);
  for (const MeasureResult& r : *results) EXPECT_NE(r.error_no, MeasureErrorNo::kUnknownError);
  // The stale jobs were measured into the dead run's replies, which the
  // rerun never read: each of its jobs has one result, its own.
  for (int i = 0; i < 100; ++i) {
    auto stale = client->Command({"XLEN", remote::ReplyStream(stale_run)});
    if (stale.ok() && stale->integer == 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(client->Command({"XLEN", remote::ReplyStream(stale_run)})->integer, 3);
}

TEST_F(RemoteRunnerTest, JobsOfAFinishedRunAreDroppedUnmeasured) {
  RemoteOptions quick = remote_;
  quick.worker_timeout_s = 0.5;
  {
    auto gone = Measure(quick);
    ASSERT_TRUE(gone.ok());
    EXPECT_FALSE((*gone)(Inputs(2)).ok());
  }  // the runner is gone, and with it its run key
  auto client = Client();
  EXPECT_EQ(client->Command({"XLEN", remote::JobStream(kDevice)})->integer, 2);
  auto worker = StartWorker("w");
  int64_t left = -1;
  for (int i = 0; i < 100 && left != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    left = client->Command({"XLEN", remote::JobStream(kDevice)})->integer;
  }
  EXPECT_EQ(left, 0);
  EXPECT_THAT(ReadAll(LogOf("w")), ::testing::Not(HasSubstr("refusing")));
  worker->Signal(SIGTERM);
  EXPECT_EQ(worker->Wait(), 0);
  EXPECT_THAT(ReadAll(LogOf("w")), HasSubstr("stopped after 0 jobs"));
}

TEST_F(RemoteRunnerTest, BothSidesCarryOnAfterTheBrokerRestarts) {
  auto worker = StartWorker("w", {"--simulate_ms=200"});
  auto measure = Measure(remote_);
  ASSERT_TRUE(measure.ok());
  std::vector<MeasureInput> inputs = Inputs(6);
  auto run = std::async(std::launch::async, [&] { return (*measure)(inputs); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_TRUE(server_->Restart().ok());
  auto results = run.get();
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 6u);
  for (const MeasureResult& r : *results) {
    EXPECT_NE(r.error_no, MeasureErrorNo::kUnknownError) << r.error_msg;
  }
  EXPECT_TRUE(worker->Running());
  // The worker joined the new broker again.
  auto info = Client()->Command({"HLEN", remote::WorkerInfoKey(kDevice)});
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->integer, 1);
}

TEST_F(RemoteRunnerTest, AWorkerOfTheWrongCpuKindRefusesJobs) {
  // This worker pretends to lack every feature, so any kernel needs one it
  // lacks.
  auto worker = StartWorker(
      "old", {"--mask_cpu_features=" + absl::StrJoin(runtime::HostFeatures(), ",")});
  remote_.worker_timeout_s = 2;
  auto measure = Measure(remote_);
  ASSERT_TRUE(measure.ok());
  auto results = (*measure)(Inputs(2));
  ASSERT_FALSE(results.ok());
  EXPECT_EQ(results.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(results.status().message(), HasSubstr("worker old lacks"));
  EXPECT_THAT(ReadAll(LogOf("old")), HasSubstr("refusing job"));
  EXPECT_TRUE(worker->Running());
}

TEST_F(RemoteRunnerTest, NoWorkerIsAClearErrorAfterTheTimeout) {
  remote_.worker_timeout_s = 1;
  auto measure = Measure(remote_);
  ASSERT_TRUE(measure.ok());
  auto results = (*measure)(Inputs(1));
  ASSERT_FALSE(results.ok());
  EXPECT_EQ(results.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(results.status().message(), HasSubstr("no measurement worker"));
  EXPECT_THAT(results.status().message(), HasSubstr("kiln_worker --broker="));
}

TEST_F(RemoteRunnerTest, AnUnreachableBrokerOrBadUrlIsAnError) {
  RemoteOptions bad = remote_;
  bad.broker = "http://nowhere";
  EXPECT_EQ(Measure(bad).status().code(), absl::StatusCode::kInvalidArgument);
  server_->Stop();
  bad = remote_;
  bad.worker_timeout_s = 0.3;
  EXPECT_EQ(Measure(bad).status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace kiln::tuners

// Throughput of distributed measurement: candidates per second through a
// Redis broker against the number of workers, and what each job costs the
// tuning host and the broker.
//
//   bazel run //bench:distributed_tuning [-- --jobs_per_worker=8 --max_simulated=64]
//
// Starts a redis-server on a free loopback port and kiln_worker processes on
// this machine: W = 1, 2 real workers measuring a ResNet-50 layer's
// candidates, then W = 1 .. max_simulated simulated workers that sleep for
// the real workers' time per job instead of running it (a fleet larger than
// this machine). The candidates are built once beforehand, so the rows
// measure dispatch and measurement, not builds (whose cost is printed
// apart: one host builds candidates at that rate and no faster).
#include <signal.h>
#include <time.h>

#include <chrono>
#include <optional>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gflags/gflags.h"
#include "ir/ops/conv2d_nchwc_template.h"
#include "runtime/remote/redis_client.h"
#include "runtime/remote/testing/processes.h"
#include "targets/target_parser.h"
#include "tuners/builder.h"
#include "tuners/kernel_measure.h"
#include "tuners/remote_runner.h"
#include "tuners/runner.h"

DEFINE_int32(jobs_per_worker, 8, "jobs per worker in each row (at least 16 per row)");
DEFINE_int32(max_simulated, 64, "the largest simulated fleet");
DEFINE_int32(candidates, 8, "distinct candidates built (jobs reuse them in turn)");
DEFINE_string(worker, "driver/kiln_worker", "the worker binary");

namespace kiln {
namespace {

using remote::testing::Process;
using remote::testing::RedisServer;

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

// The broker's CPU seconds so far (INFO cpu: used_cpu_sys + used_cpu_user).
double BrokerCpuSeconds(remote::RedisClient& client) {
  auto info = client.Command({"INFO", "cpu"});
  double total = 0;
  if (!info.ok()) return 0;
  for (absl::string_view line : absl::StrSplit(info->str, "\r\n")) {
    std::vector<absl::string_view> kv = absl::StrSplit(line, ':');
    double v;
    if (kv.size() == 2 && (kv[0] == "used_cpu_sys" || kv[0] == "used_cpu_user") &&
        absl::SimpleAtod(kv[1], &v)) {
      total += v;
    }
  }
  return total;
}

struct Row {
  double per_second = 0;
  double host_ms_per_job = 0;    // CPU of the runner's thread
  double broker_ms_per_job = 0;  // CPU of redis-server
  double wall_ms_per_job_per_worker = 0;
};

struct Setup {
  targets::Target target = *targets::ParseTarget("llvm -mcpu=native");
  ir::ops::Conv2dWorkload w;
  tuning::TuningTask task;
  std::optional<tuning::Config> reference;
  tuners::MeasureOption option;
  std::vector<tuners::MeasureInput> inputs;
  std::vector<tuners::BuildResult> builds;
};

absl::StatusOr<Row> Measure(Setup& s, RedisServer& server, int workers, int simulate_ms,
                            const std::string& key) {
  std::vector<std::unique_ptr<Process>> fleet;
  for (int i = 0; i < workers; ++i) {
    auto p = Process::Start({FLAGS_worker, "--broker=" + server.url(), "--device_key=" + key,
                             absl::StrCat("--name=w", i), absl::StrCat("--simulate_ms=", simulate_ms),
                             "--minloglevel=1"});
    if (!p.ok()) return p.status();
    fleet.push_back(*std::move(p));
  }
  tuners::RemoteOptions remote{server.url(), key, 120};
  auto expected = tuners::ReferenceOutput(ir::ops::Conv2dNCHWcHarness(s.w), s.target, *s.reference);
  if (!expected.ok()) return expected.status();
  auto runner = tuners::MakeRemoteRunner(ir::ops::Conv2dNCHWcHarness(s.w), s.option, *expected,
                                         remote);
  if (!runner.ok()) return runner.status();
  // Warm-up: every worker joins and caches the buffers.
  std::vector<tuners::MeasureInput> warm(s.inputs.begin(), s.inputs.begin() + 1);
  std::vector<tuners::BuildResult> warm_builds(s.builds.begin(), s.builds.begin() + 1);
  for (int i = 0; i < workers; ++i) {
    auto r = (*runner)->Run(warm, warm_builds);
    if (!r.ok()) return r.status();
  }
  const int jobs = std::max(16, FLAGS_jobs_per_worker * workers);
  std::vector<tuners::MeasureInput> inputs;
  std::vector<tuners::BuildResult> builds;
  for (int j = 0; j < jobs; ++j) {
    inputs.push_back(s.inputs[j % s.inputs.size()]);
    builds.push_back(s.builds[j % s.builds.size()]);
  }
  auto client = *remote::RedisClient::Connect(*remote::ParseBrokerUrl(server.url()));
  const double broker0 = BrokerCpuSeconds(*client);
  const double cpu0 = ThreadCpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  auto results = (*runner)->Run(inputs, builds);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = ThreadCpuSeconds() - cpu0;
  const double broker = BrokerCpuSeconds(*client) - broker0;
  if (!results.ok()) return results.status();
  Row row;
  row.per_second = jobs / wall;
  row.host_ms_per_job = 1e3 * cpu / jobs;
  row.broker_ms_per_job = 1e3 * broker / jobs;
  row.wall_ms_per_job_per_worker = 1e3 * wall * workers / jobs;
  for (auto& p : fleet) p->Signal(SIGTERM);
  for (auto& p : fleet) p->Wait();
  return row;
}

int Main() {
  Setup s;
  // A ResNet-50 stage-2 3x3 layer.
  s.w.in_channels = 128, s.w.out_channels = 128, s.w.height = s.w.width = 28;
  s.w.kernel_h = s.w.kernel_w = 3, s.w.pad_h = s.w.pad_w = 1;
  s.task = *ir::ops::MakeConv2dNCHWcTask(s.w, s.target);
  s.reference =
      *ir::ops::Conv2dNCHWcTaskConfig(s.task, ir::ops::DefaultConv2dNCHWcConfig(s.w, s.target));
  s.option.repeat = 3;
  s.option.enable_cpu_cache_flush = true;
  for (int i = 0; i < FLAGS_candidates; ++i) {
    s.inputs.push_back({&s.task, s.task.space.At((s.reference->index() + 7 * i) % s.task.space.size())});
  }
  auto builder = tuners::MakeSharedObjectBuilder(ir::ops::Conv2dNCHWcHarness(s.w), s.target, 1);
  const auto b0 = std::chrono::steady_clock::now();
  s.builds = builder->Build(s.inputs);
  const double build_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - b0).count() / s.inputs.size();
  size_t so_bytes = 0;
  for (const auto& b : s.builds) so_bytes += b.shared_object.size();
  auto jit = tuners::MakeLocalBuilder(ir::ops::Conv2dNCHWcHarness(s.w), s.target, 1);
  const auto j0 = std::chrono::steady_clock::now();
  (void)jit->Build(s.inputs);
  const double jit_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - j0).count() / s.inputs.size();
  // What every job costs the host before it reaches the broker: the
  // candidate's buffers and its expected output, as local tuning makes them.
  auto expected = tuners::ReferenceOutput(ir::ops::Conv2dNCHWcHarness(s.w), s.target, *s.reference);
  if (!expected.ok()) return 1;
  const tuning::KernelHarness harness = ir::ops::Conv2dNCHWcHarness(s.w);
  const double p0 = ThreadCpuSeconds();
  for (const tuners::MeasureInput& in : s.inputs) {
    (void)tuners::MakeCandidateData(harness, in.config, *expected);
  }
  const double prepare_s = (ThreadCpuSeconds() - p0) / s.inputs.size();
  std::printf("conv2d 128->128 3x3 @28x28, %d candidates: build %.0f ms each as a shared object "
              "(%.0f ms with the JIT), %zu KB of code per job; preparing a job's buffers and "
              "expected output %.2f ms of host CPU\n",
              FLAGS_candidates, 1e3 * build_s, 1e3 * jit_s, so_bytes / s.builds.size() / 1024,
              1e3 * prepare_s);

  auto server = RedisServer::Start();
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  std::printf("\n%-10s %8s %14s %16s %18s %22s\n", "workers", "mode", "candidates/s",
              "host CPU ms/job", "broker CPU ms/job", "worker wall ms/job");
  double real_ms = 0;
  auto print = [](int w, const char* mode, const Row& r) {
    std::printf("%-10d %8s %14.1f %16.2f %18.2f %22.1f\n", w, mode, r.per_second,
                r.host_ms_per_job, r.broker_ms_per_job, r.wall_ms_per_job_per_worker);
    std::fflush(stdout);
  };
  for (int w : {1, 2}) {
    auto row = Measure(s, **server, w, 0, absl::StrCat("real", w));
    if (!row.ok()) {
      std::fprintf(stderr, "%s\n", std::string(row.status().message()).c_str());
      return 1;
    }
    if (w == 1) real_ms = row->wall_ms_per_job_per_worker;
    print(w, "real", *row);
  }
  const int simulate_ms = std::max(1, static_cast<int>(real_ms + 0.5));
  for (int w = 1; w <= FLAGS_max_simulated; w *= 2) {
    auto row = Measure(s, **server, w, simulate_ms, absl::StrCat("sim", w));
    if (!row.ok()) {
      std::fprintf(stderr, "%s\n", std::string(row.status().message()).c_str());
      return 1;
    }
    print(w, "sim", *row);
  }
  std::printf("\nsimulated workers sleep %d ms per job (the real single worker's time)\n",
              simulate_ms);
  return 0;
}

}  // namespace
}  // namespace kiln

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  return kiln::Main();
}

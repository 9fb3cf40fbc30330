// kiln_worker: measures tuning candidates for a tuning host, on the machine
// it runs on, with nothing but kiln's runtime (no LLVM, ONNX, protobuf or
// XGBoost). Jobs come from a Redis broker; see README "Tuning on many
// machines".
//
//   kiln_worker --broker=redis://[user:password@]host:port --device_key=KEY
//               [--name=NAME] [--lease_s=30] [--mask_cpu_features=a,b]
//               [--simulate_ms=N]
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "driver/command_line.h"
#include "gflags/gflags.h"
#include "runtime/remote/worker.h"

DEFINE_string(broker, "", "the broker: redis://[user:password@]host:port");
DEFINE_string(device_key, "", "the kind of device this worker measures for, as the tuning "
                              "host names it (e.g. zen5-avx512)");
DEFINE_string(name, "", "this worker's name in the broker (default hostname:pid)");
DEFINE_double(lease_s, 30, "seconds a job may sit with a silent worker before another "
                           "worker takes it over (the same on all workers of a device key)");
DEFINE_string(mask_cpu_features, "",
              "comma-separated CPU features to treat as missing (refuses jobs that need them)");
DEFINE_int32(simulate_ms, 0, "when > 0, sleep this long per job instead of running it "
                             "(benchmarking the tuning host)");
DEFINE_double(reconnect_timeout_s, 600, "give up when the broker stays unreachable this long");

namespace {

std::atomic<bool> stop_requested{false};

void RequestStop(int) { stop_requested.store(true); }

}  // namespace

int main(int argc, char** argv) {
  gflags::SetUsageMessage("kiln_worker --broker=redis://host:port --device_key=KEY ...");
  if (kiln::driver::InitCommandLine(&argc, &argv, "driver/kiln_worker_main.cc")) return 0;
  if (argc != 1 || FLAGS_broker.empty() || FLAGS_device_key.empty()) {
    std::fprintf(stderr, "usage: kiln_worker --broker=redis://[user:password@]host:port "
                         "--device_key=KEY [--name=NAME] [--lease_s=30] "
                         "[--mask_cpu_features=a,b] [--simulate_ms=N]\n");
    return 2;
  }
  auto broker = kiln::remote::ParseBrokerUrl(FLAGS_broker);
  if (!broker.ok()) {
    std::fprintf(stderr, "kiln_worker: error: %s\n", std::string(broker.status().message()).c_str());
    return 2;
  }
  kiln::remote::WorkerOptions options;
  options.broker = *broker;
  options.device_key = FLAGS_device_key;
  options.name = FLAGS_name;
  options.lease = absl::Seconds(FLAGS_lease_s);
  options.masked_features = absl::StrSplit(FLAGS_mask_cpu_features, ',', absl::SkipWhitespace());
  options.simulate = absl::Milliseconds(FLAGS_simulate_ms);
  options.reconnect_timeout = absl::Seconds(FLAGS_reconnect_timeout_s);
  options.stop = &stop_requested;
  // Stop after the job in hand, so that it is neither lost nor left to wait
  // out the lease.
  std::signal(SIGINT, RequestStop);
  std::signal(SIGTERM, RequestStop);
  if (auto st = kiln::remote::RunWorker(options); !st.ok()) {
    std::fprintf(stderr, "kiln_worker: error: %s\n", std::string(st.message()).c_str());
    return 1;
  }
  return 0;
}

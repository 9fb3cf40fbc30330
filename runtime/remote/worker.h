// A measurement worker: takes jobs for its device key from the broker one
// at a time, measures each as local tuning does (runtime/kernel_check.h: a
// checking run in a child process, then timing), and replies.
//
// Jobs come from the device's consumer group, so each is delivered to one
// worker; a job left pending by a worker that died is claimed by another
// once it has been idle for the lease (a live worker keeps renewing the
// claim on the job it is measuring). A job whose kernel needs a CPU feature
// this worker lacks is refused (replied to as refused, and the host queues
// it again), never measured. Jobs of a tuning run whose host is gone are
// dropped unmeasured.
#ifndef KILN_RUNTIME_REMOTE_WORKER_H_
#define KILN_RUNTIME_REMOTE_WORKER_H_

#include <atomic>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "runtime/remote/redis_client.h"

namespace kiln::remote {

struct WorkerOptions {
  BrokerAddress broker;
  std::string device_key;
  std::string name;  // empty: hostname:pid
  // A job idle this long in a worker's pending list is taken over by
  // another worker (the owner renews it every lease / 3 while measuring).
  absl::Duration lease = absl::Seconds(30);
  // Features to treat as missing although the CPU has them (to try out a
  // fleet of mixed CPU kinds on one machine).
  std::vector<std::string> masked_features;
  // When positive, every job "runs" by sleeping this long and reports it as
  // its cost: a stand-in for a real device when benchmarking the host side.
  absl::Duration simulate = absl::ZeroDuration();
  absl::Duration reconnect_timeout = absl::Minutes(10);
  // Set (e.g. by a signal handler) to stop after the job in hand.
  const std::atomic<bool>* stop = nullptr;
};

// Runs until *options.stop; an error when the broker stays unreachable for
// the reconnect timeout or the options are invalid.
absl::Status RunWorker(const WorkerOptions& options);

// "AMD EPYC ...; features: sse,sse2,..." for this host minus `masked`.
std::string DescribeWorkerCpu(const std::vector<std::string>& masked);

}  // namespace kiln::remote

#endif  // KILN_RUNTIME_REMOTE_WORKER_H_

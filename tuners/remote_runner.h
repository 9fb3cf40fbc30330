// Measuring candidates on other machines: a Runner that sends each built
// candidate (a shared object from MakeSharedObjectBuilder) as a
// self-contained job to the broker's stream for a device key, where
// kiln_worker processes measure it (remote/worker.h), and turns their
// replies into MeasureResults exactly as local measurement would produce.
//
// Faults: a worker that dies mid-job leaves it to another after the lease
// (and the first reply of each job wins, so none counts twice); after the
// broker restarts the runner reconnects with back-off, uploads the buffers
// again and re-queues every unanswered job; a job refused by a worker (a CPU
// feature it lacks) is queued again for another; and when no result comes
// for `worker_timeout_s` the batch fails with a message saying which
// workers were there and what they said, instead of waiting forever. Each
// runner has its own run id, so replies meant for an earlier (killed)
// tuning host are never read.
#ifndef KILN_TUNERS_REMOTE_RUNNER_H_
#define KILN_TUNERS_REMOTE_RUNNER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/tuning/kernel_harness.h"
#include "targets/target.h"
#include "tuners/measure.h"
#include "tuners/runner.h"

namespace kiln::tuners {

struct RemoteOptions {
  std::string broker;      // redis://[user:password@]host:port
  std::string device_key;  // which workers measure (one kind of machine)
  double worker_timeout_s = 60;  // longest wait for any result
};

// `expected`: the reference config's canonical output (ReferenceOutput).
absl::StatusOr<std::unique_ptr<Runner>> MakeRemoteRunner(tuning::KernelHarness harness,
                                                         const MeasureOption& option,
                                                         std::vector<float> expected,
                                                         const RemoteOptions& remote);

// MakeKernelMeasure's counterpart: candidates built to shared objects here
// (on option.n_parallel threads), measured by the device key's workers.
// The reference output is still computed here, with the JIT.
absl::StatusOr<MeasureFunction> MakeRemoteMeasure(tuning::KernelHarness harness,
                                                  const targets::Target& target,
                                                  const MeasureOption& option,
                                                  const tuning::Config& reference,
                                                  const RemoteOptions& remote);

}  // namespace kiln::tuners

#endif  // KILN_TUNERS_REMOTE_RUNNER_H_

// Running built candidates (builder.h) and timing them: the second step of
// a measurement.
#ifndef KILN_TUNERS_RUNNER_H_
#define KILN_TUNERS_RUNNER_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/tuning/kernel_harness.h"
#include "runtime/kernel_check.h"
#include "tuners/builder.h"
#include "tuners/measure.h"

namespace kiln::tuners {

class Runner {
 public:
  virtual ~Runner() = default;
  // One result per input; a build that failed becomes a result with its
  // error. A non-OK status means the running machinery itself failed.
  virtual absl::StatusOr<std::vector<MeasureResult>> Run(
      const std::vector<MeasureInput>& inputs, const std::vector<BuildResult>& builds) = 0;
};

// Runs each candidate once in a child process (a crash is RUNTIME_DEVICE, a
// run longer than option.timeout_s RUN_TIMEOUT), compares its output with
// `expected` (WRONG_ANSWER beyond 1e-3 relative), and times the ones that
// pass in this process, serially, as `option` says.
absl::StatusOr<std::unique_ptr<Runner>> MakeLocalRunner(tuning::KernelHarness harness,
                                                        const MeasureOption& option,
                                                        std::vector<float> expected);

// A candidate's arguments and the output it must produce, in its own
// layout: `expected` (the reference config's canonical output) moved through
// the inverse of the config's canonical_output, NaN where no canonical
// element comes from. Built alike for local and remote runs.
struct CandidateData {
  std::vector<std::vector<float>> buffers;
  std::vector<float> expected;
};
absl::StatusOr<CandidateData> MakeCandidateData(const tuning::KernelHarness& harness,
                                                const tuning::Config& config,
                                                const std::vector<float>& expected);

// Copies a checked run's error (by its record name), message and costs.
void SetFromCheck(runtime::KernelCheckResult check, MeasureResult& result);

// Runs `kernel` once on `buffers` and returns its output in the layout all
// configs share (harness.canonical_output).
absl::StatusOr<std::vector<float>> RunOnce(const tuning::KernelHarness& harness,
                                           const tuning::Config& config,
                                           codegen::KernelFunction kernel,
                                           std::vector<std::vector<float>>& buffers);

}  // namespace kiln::tuners

#endif  // KILN_TUNERS_RUNNER_H_

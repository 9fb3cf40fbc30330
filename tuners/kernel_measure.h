// The measure function for real kernels on this machine: a local Builder
// (builder.h: lowering and the JIT, in parallel) then a local Runner
// (runner.h: a checking run in a child process, then timing).
#ifndef KILN_TUNERS_KERNEL_MEASURE_H_
#define KILN_TUNERS_KERNEL_MEASURE_H_

#include <vector>

#include "absl/status/statusor.h"
#include "ir/tuning/config_space.h"
#include "ir/tuning/kernel_harness.h"
#include "targets/target.h"
#include "tuners/measure.h"

namespace kiln::tuners {

// Each candidate first runs once in a child process (a crash is recorded as
// RUNTIME_DEVICE, a run longer than option.timeout_s as RUN_TIMEOUT, and the
// tuning run goes on); an output differing from `reference`'s by more than
// 1e-3 relative is WRONG_ANSWER. Only candidates that passed are timed, in
// this process and on its thread pool.
absl::StatusOr<MeasureFunction> MakeKernelMeasure(tuning::KernelHarness harness,
                                                  const targets::Target& target,
                                                  const MeasureOption& option,
                                                  const tuning::Config& reference);

// The output every candidate must reproduce: `reference` built with the JIT
// and run once here, in the layout all configs share.
absl::StatusOr<std::vector<float>> ReferenceOutput(const tuning::KernelHarness& harness,
                                                   const targets::Target& target,
                                                   const tuning::Config& reference);

}  // namespace kiln::tuners

#endif  // KILN_TUNERS_KERNEL_MEASURE_H_

// The measure function for real kernels: build each candidate, compile it
// with the JIT, check its output against a reference config's, and time it.
#ifndef KILN_TUNERS_KERNEL_MEASURE_H_
#define KILN_TUNERS_KERNEL_MEASURE_H_

#include "absl/status/statusor.h"
#include "ir/ops/kernel_harness.h"
#include "targets/target.h"
#include "tuners/config_space.h"
#include "tuners/measure.h"

namespace kiln::tuners {

// A candidate whose output differs from `reference`'s by more than
// 1e-3 relative is recorded as WRONG_ANSWER. Candidates run in this process:
// a kernel kiln generated cannot crash on inputs of the right shape, and the
// harness only makes those.
absl::StatusOr<MeasureFunction> MakeKernelMeasure(ir::ops::KernelHarness harness,
                                                  const targets::Target& target,
                                                  const MeasureOption& option,
                                                  const Config& reference);

}  // namespace kiln::tuners

#endif  // KILN_TUNERS_KERNEL_MEASURE_H_

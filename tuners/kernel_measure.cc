#include "tuners/kernel_measure.h"

#include <memory>

#include "absl/strings/str_cat.h"

#include "tuners/builder.h"
#include "tuners/runner.h"

namespace kiln::tuners {

absl::StatusOr<std::vector<float>> ReferenceOutput(const tuning::KernelHarness& harness,
                                                   const targets::Target& target,
                                                   const tuning::Config& reference) {
  const tuning::TuningTask* no_task = nullptr;
  std::vector<BuildResult> built =
      MakeLocalBuilder(harness, target, 1)->Build({MeasureInput{no_task, reference}});
  if (!built[0].ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the reference config does not build: ", built[0].error_msg));
  }
  auto buffers = harness.make_buffers(reference);
  if (!buffers.ok()) return buffers.status();
  return RunOnce(harness, reference, built[0].kernel, *buffers);
}

absl::StatusOr<MeasureFunction> MakeKernelMeasure(tuning::KernelHarness harness,
                                                  const targets::Target& target,
                                                  const MeasureOption& option,
                                                  const tuning::Config& reference) {
  if (auto st = option.Validate(); !st.ok()) return st;
  std::shared_ptr<Builder> builder = MakeLocalBuilder(harness, target, option.n_parallel);
  // The reference output every candidate must reproduce.
  auto expected = ReferenceOutput(harness, target, reference);
  if (!expected.ok()) return expected.status();
  auto runner = MakeLocalRunner(std::move(harness), option, *std::move(expected));
  if (!runner.ok()) return runner.status();
  std::shared_ptr<Runner> shared_runner = *std::move(runner);
  return MeasureFunction(
      [builder, shared_runner](const std::vector<MeasureInput>& inputs) {
        // Builds run in parallel; runs and timings stay serial so that
        // candidates never compete for the cores they are timed on. A
        // batch's kernels are freed with it.
        return shared_runner->Run(inputs, builder->Build(inputs));
      });
}

}  // namespace kiln::tuners

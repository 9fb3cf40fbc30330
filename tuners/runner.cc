#include "tuners/runner.h"

#include <chrono>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"

namespace kiln::tuners {
namespace {

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class LocalRunner final : public Runner {
 public:
  LocalRunner(tuning::KernelHarness harness, runtime::KernelTimer timer, double timeout_s,
              std::vector<float> expected)
      : harness_(std::move(harness)),
        timer_(std::move(timer)),
        timeout_s_(timeout_s),
        expected_(std::move(expected)) {}

  absl::StatusOr<std::vector<MeasureResult>> Run(
      const std::vector<MeasureInput>& inputs, const std::vector<BuildResult>& builds) override {
    if (builds.size() != inputs.size()) {
      return absl::InternalError(absl::StrCat(builds.size(), " builds for ", inputs.size(),
                                              " measure inputs"));
    }
    std::vector<MeasureResult> results(inputs.size());
    for (size_t k = 0; k < inputs.size(); ++k) {
      MeasureResult& r = results[k];
      const double start = NowSeconds() - builds[k].seconds;
      Measure(inputs[k].config, builds[k], r);
      r.timestamp = NowSeconds();
      r.all_cost = r.timestamp - start;
    }
    return results;
  }

 private:
  void Measure(const tuning::Config& config, const BuildResult& build, MeasureResult& r) {
    if (!build.ok()) {
      r.error_no = build.error_no;
      r.error_msg = build.error_msg;
      return;
    }
    auto job = MakeCandidateData(harness_, config, expected_);
    if (!job.ok()) {
      r.error_no = MeasureErrorNo::kInstantiationError;
      r.error_msg = std::string(job.status().message());
      return;
    }
    SetFromCheck(runtime::CheckAndTimeKernel(build.kernel, job->buffers, job->expected,
                                             harness_.weight_buffer, timer_, timeout_s_),
                 r);
  }

  const tuning::KernelHarness harness_;
  runtime::KernelTimer timer_;
  const double timeout_s_;
  const std::vector<float> expected_;
};

}  // namespace

absl::StatusOr<CandidateData> MakeCandidateData(const tuning::KernelHarness& harness,
                                                const tuning::Config& config,
                                                const std::vector<float>& expected) {
  auto buffers = harness.make_buffers(config);
  if (!buffers.ok()) return buffers.status();
  if (buffers->empty()) return absl::InternalError("the harness made no buffers");
  // canonical[j] = out[index[j]]: the layout's map, read off by passing the
  // element indices through it (exact as floats below 2^24).
  const size_t n = buffers->back().size();
  if (n >= (size_t{1} << 24)) {
    return absl::UnimplementedError(
        absl::StrCat("an output of ", n, " elements is too large to check (at most 2^24)"));
  }
  std::vector<float> indices(n);
  for (size_t i = 0; i < n; ++i) indices[i] = static_cast<float>(i);
  auto index = harness.canonical_output(config, indices);
  if (!index.ok()) return index.status();
  if (index->size() != expected.size()) {
    return absl::InternalError(absl::StrCat("the config's output has ", index->size(),
                                            " elements, the reference ", expected.size()));
  }
  CandidateData data{*std::move(buffers), std::vector<float>(n, std::nanf(""))};
  for (size_t j = 0; j < index->size(); ++j) {
    const float i = (*index)[j];
    if (!(i >= 0 && i < static_cast<float>(n))) {
      return absl::InternalError(absl::StrCat("canonical_output moved no output element to ", j));
    }
    data.expected[static_cast<size_t>(i)] = expected[j];
  }
  return data;
}

void SetFromCheck(runtime::KernelCheckResult check, MeasureResult& result) {
  auto error = ParseMeasureErrorName(runtime::KernelCheckErrorName(check.error));
  result.error_no = error.ok() ? *error : MeasureErrorNo::kUnknownError;
  result.error_msg = std::move(check.error_msg);
  result.costs = std::move(check.costs);
}

absl::StatusOr<std::vector<float>> RunOnce(const tuning::KernelHarness& harness,
                                           const tuning::Config& config,
                                           codegen::KernelFunction kernel,
                                           std::vector<std::vector<float>>& buffers) {
  std::vector<void*> args;
  for (auto& b : buffers) args.push_back(b.data());
  if (int32_t rc = kernel(args.data()); rc != 0) {
    return absl::InternalError(absl::StrCat("kernel returned ", rc));
  }
  return harness.canonical_output(config, buffers.back());
}

absl::StatusOr<std::unique_ptr<Runner>> MakeLocalRunner(tuning::KernelHarness harness,
                                                        const MeasureOption& option,
                                                        std::vector<float> expected) {
  auto timer = runtime::KernelTimer::Create(option.timing());
  if (!timer.ok()) return timer.status();
  return std::unique_ptr<Runner>(
      new LocalRunner(std::move(harness), *std::move(timer), option.timeout_s,
                      std::move(expected)));
}

}  // namespace kiln::tuners

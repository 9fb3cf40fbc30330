#include "tuners/runner.h"

#include <chrono>
#include <cmath>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "tuners/isolated_process.h"
#include "tuners/kernel_timer.h"

namespace kiln::tuners {
namespace {

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Runs the candidate once in a child process: a kernel that crashes or hangs
// takes only the child down. Returns its canonical output, or sets the
// error code in `result`.
absl::StatusOr<std::vector<float>> RunIsolated(const tuning::KernelHarness& harness,
                                               const tuning::Config& config,
                                               codegen::KernelFunction kernel,
                                               std::vector<std::vector<float>>& buffers,
                                               double timeout_s, MeasureResult* result) {
  auto outcome = RunInChildProcess(
      [&]() -> std::string {
        auto out = RunOnce(harness, config, kernel, buffers);
        if (!out.ok()) return std::string("E") + std::string(out.status().message());
        return std::string("O") + std::string(reinterpret_cast<const char*>(out->data()),
                                              out->size() * sizeof(float));
      },
      absl::Seconds(timeout_s));
  if (!outcome.ok()) {
    result->error_no = MeasureErrorNo::kUnknownError;
    return outcome.status();
  }
  switch (outcome->kind) {
    case ChildOutcome::Kind::kReturned:
      break;
    case ChildOutcome::Kind::kTimedOut:
      result->error_no = MeasureErrorNo::kRunTimeout;
      return absl::DeadlineExceededError(outcome->Describe());
    default:
      result->error_no = MeasureErrorNo::kRuntimeDevice;
      return absl::InternalError(outcome->Describe());
  }
  const std::string& payload = outcome->payload;
  if (payload.empty() || payload[0] != 'O' || (payload.size() - 1) % sizeof(float) != 0) {
    result->error_no = MeasureErrorNo::kRuntimeDevice;
    return absl::InternalError(payload.size() > 1 ? payload.substr(1) : "no output");
  }
  std::vector<float> out((payload.size() - 1) / sizeof(float));
  std::memcpy(out.data(), payload.data() + 1, payload.size() - 1);
  return out;
}

// Reads every cache line of `v`; the sum keeps the reads from being elided.
void ReadIntoCache(const std::vector<float>& v) {
  volatile float sink = 0;
  float sum = 0;
  for (size_t i = 0; i < v.size(); i += 16) sum += v[i];
  sink = sum;
  (void)sink;
}

class LocalRunner final : public Runner {
 public:
  LocalRunner(tuning::KernelHarness harness, KernelTimer timer, double timeout_s,
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
      if (absl::Status st = Measure(inputs[k].config, builds[k], r); !st.ok()) {
        if (r.error_no == MeasureErrorNo::kNoError) r.error_no = MeasureErrorNo::kUnknownError;
        r.error_msg = std::string(st.message());
        r.costs.clear();
      }
      r.timestamp = NowSeconds();
      r.all_cost = r.timestamp - start;
    }
    return results;
  }

 private:
  absl::Status Measure(const tuning::Config& config, const BuildResult& build,
                       MeasureResult& r) {
    if (!build.ok()) {
      r.error_no = build.error_no;
      return absl::InternalError(build.error_msg);
    }
    auto buffers = harness_.make_buffers(config);
    if (!buffers.ok()) {
      r.error_no = MeasureErrorNo::kInstantiationError;
      return buffers.status();
    }
    auto out = RunIsolated(harness_, config, build.kernel, *buffers, timeout_s_, &r);
    if (!out.ok()) return out.status();
    if (out->size() != expected_.size()) {
      r.error_no = MeasureErrorNo::kWrongAnswer;
      return absl::InternalError(absl::StrCat("output has ", out->size(),
                                              " elements, the reference ", expected_.size()));
    }
    for (size_t i = 0; i < out->size(); ++i) {
      const float want = expected_[i], got = (*out)[i];
      if (!(std::fabs(got - want) <= 1e-3f * (1.0f + std::fabs(want)))) {
        r.error_no = MeasureErrorNo::kWrongAnswer;
        return absl::InternalError(
            absl::StrCat("element ", i, " is ", got, ", the reference config gives ", want));
      }
    }
    std::vector<void*> args;
    for (auto& b : *buffers) args.push_back(b.data());
    auto rewarm = [&] {
      for (size_t b = 0; b < buffers->size(); ++b) {
        if (static_cast<int>(b) != harness_.weight_buffer) ReadIntoCache((*buffers)[b]);
      }
    };
    auto costs = timer_.Time(
        [&]() -> absl::Status {
          if (build.kernel(args.data()) != 0) {
            return absl::InternalError("kernel reported a failure");
          }
          return absl::OkStatus();
        },
        rewarm);
    if (!costs.ok()) {
      r.error_no = MeasureErrorNo::kRuntimeDevice;
      return costs.status();
    }
    r.costs = *std::move(costs);
    return absl::OkStatus();
  }

  const tuning::KernelHarness harness_;
  KernelTimer timer_;
  const double timeout_s_;
  const std::vector<float> expected_;
};

}  // namespace

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
  auto timer = KernelTimer::Create(option);
  if (!timer.ok()) return timer.status();
  return std::unique_ptr<Runner>(
      new LocalRunner(std::move(harness), *std::move(timer), option.timeout_s,
                      std::move(expected)));
}

}  // namespace kiln::tuners

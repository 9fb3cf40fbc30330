#include "runtime/kernel_check.h"

#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "runtime/isolated_process.h"

namespace kiln::runtime {
namespace {

std::vector<void*> Args(std::vector<std::vector<float>>& buffers) {
  std::vector<void*> args;
  for (auto& b : buffers) args.push_back(b.data());
  return args;
}

KernelCheckResult Failure(KernelCheckError error, std::string msg) {
  return {error, std::move(msg), {}};
}

// Reads every cache line of `v`; the sum keeps the reads from being elided.
void ReadIntoCache(const std::vector<float>& v) {
  volatile float sink = 0;
  float sum = 0;
  for (size_t i = 0; i < v.size(); i += 16) sum += v[i];
  sink = sum;
  (void)sink;
}

}  // namespace

absl::string_view KernelCheckErrorName(KernelCheckError error) {
  switch (error) {
    case KernelCheckError::kNone:
      return "NO_ERROR";
    case KernelCheckError::kRuntimeDevice:
      return "RUNTIME_DEVICE";
    case KernelCheckError::kWrongAnswer:
      return "WRONG_ANSWER";
    case KernelCheckError::kRunTimeout:
      return "RUN_TIMEOUT";
    case KernelCheckError::kUnknownError:
      break;
  }
  return "UNKNOWN_ERROR";
}

KernelCheckResult CheckAndTimeKernel(KernelFunction kernel, std::vector<std::vector<float>>& buffers,
                                     const std::vector<float>& expected, int weight_buffer,
                                     KernelTimer& timer, double timeout_s) {
  if (buffers.empty()) return Failure(KernelCheckError::kUnknownError, "no buffers to run on");
  std::vector<void*> args = Args(buffers);
  auto outcome = RunInChildProcess(
      [&]() -> std::string {
        if (int32_t rc = kernel(args.data()); rc != 0) return absl::StrCat("Ekernel returned ", rc);
        const std::vector<float>& out = buffers.back();
        return std::string("O") + std::string(reinterpret_cast<const char*>(out.data()),
                                              out.size() * sizeof(float));
      },
      absl::Seconds(timeout_s));
  if (!outcome.ok()) {
    return Failure(KernelCheckError::kUnknownError, std::string(outcome.status().message()));
  }
  switch (outcome->kind) {
    case ChildOutcome::Kind::kReturned:
      break;
    case ChildOutcome::Kind::kTimedOut:
      return Failure(KernelCheckError::kRunTimeout, outcome->Describe());
    default:
      return Failure(KernelCheckError::kRuntimeDevice, outcome->Describe());
  }
  const std::string& payload = outcome->payload;
  if (payload.empty() || payload[0] != 'O') {
    return Failure(KernelCheckError::kRuntimeDevice,
                   payload.size() > 1 ? payload.substr(1) : "no output");
  }
  if (payload.size() - 1 != expected.size() * sizeof(float)) {
    return Failure(KernelCheckError::kWrongAnswer,
                   absl::StrCat("output has ", (payload.size() - 1) / sizeof(float),
                                " elements, the reference ", expected.size()));
  }
  std::vector<float> out(expected.size());
  std::memcpy(out.data(), payload.data() + 1, payload.size() - 1);
  for (size_t i = 0; i < out.size(); ++i) {
    const float want = expected[i], got = out[i];
    if (std::isnan(want)) continue;
    if (!(std::fabs(got - want) <= 1e-3f * (1.0f + std::fabs(want)))) {
      return Failure(KernelCheckError::kWrongAnswer,
                     absl::StrCat("element ", i, " is ", got, ", the reference config gives ",
                                  want));
    }
  }
  auto rewarm = [&] {
    for (size_t b = 0; b < buffers.size(); ++b) {
      if (static_cast<int>(b) != weight_buffer) ReadIntoCache(buffers[b]);
    }
  };
  auto costs = timer.Time(
      [&]() -> absl::Status {
        if (kernel(args.data()) != 0) return absl::InternalError("kernel reported a failure");
        return absl::OkStatus();
      },
      rewarm);
  if (!costs.ok()) return Failure(KernelCheckError::kRuntimeDevice, std::string(costs.status().message()));
  return {KernelCheckError::kNone, "", *std::move(costs)};
}

}  // namespace kiln::runtime

#include "runtime/kernel_timer.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace kiln::runtime {
namespace {

// Keeps `number` finite when a "kernel" takes no measurable time at all.
constexpr int64_t kMaxNumber = int64_t{1} << 30;

}  // namespace

absl::Status TimingOptions::Validate() const {
  if (number < 1) {
    return absl::InvalidArgumentError(absl::StrCat("timing number must be >= 1, got ", number));
  }
  if (repeat < 1) {
    return absl::InvalidArgumentError(absl::StrCat("timing repeat must be >= 1, got ", repeat));
  }
  if (min_repeat_ms < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("timing min_repeat_ms must be >= 0, got ", min_repeat_ms));
  }
  return absl::OkStatus();
}

absl::StatusOr<KernelTimer> KernelTimer::Create(const TimingOptions& option) {
  absl::Status valid = option.Validate();
  if (!valid.ok()) return valid;
  return KernelTimer(option);
}

KernelTimer::KernelTimer(const TimingOptions& option) : option_(option) {
  if (option_.enable_cpu_cache_flush) {
    flusher_ = std::make_shared<CacheFlusher>();
  }
}

absl::StatusOr<std::vector<double>> KernelTimer::Time(
    const std::function<absl::Status()>& run, const std::function<void()>& after_flush) {
  using Clock = std::chrono::steady_clock;
  std::vector<double> costs;
  int64_t number = option_.number;
  const double min_seconds = option_.min_repeat_ms / 1000.0;
  // One untimed run first: a candidate's first call pays for faulting in its
  // code and buffers and for waking the thread pool (3-15x a steady run),
  // which no run inside a model pays. The flush before each timed repeat
  // still leaves the weights cold, as a model streams them.
  if (absl::Status status = run(); !status.ok()) return status;
  for (int r = 0; r < option_.repeat; ++r) {
    while (true) {
      if (flusher_ != nullptr) {
        flusher_->Flush();
        if (after_flush) after_flush();
      }
      Clock::time_point start = Clock::now();
      for (int64_t i = 0; i < number; ++i) {
        absl::Status status = run();
        if (!status.ok()) return status;
      }
      double seconds =
          std::chrono::duration<double>(Clock::now() - start).count();
      if (seconds >= min_seconds || number >= kMaxNumber) {
        costs.push_back(seconds / static_cast<double>(number));
        break;
      }
      // Aim 10% past the minimum from the rate just seen, and at least
      // double, so a noisy short repeat cannot make this crawl.
      double scale = seconds > 0 ? 1.1 * min_seconds / seconds : 1000.0;
      int64_t grown = static_cast<int64_t>(
          std::ceil(static_cast<double>(number) * std::min(scale, 1e6)));
      number = std::min(kMaxNumber, std::max(2 * number, grown));
    }
  }
  return costs;
}

}  // namespace kiln::runtime

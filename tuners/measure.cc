#include "tuners/measure.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"

namespace kiln::tuners {
namespace {

constexpr MeasureErrorNo kAllErrors[] = {
    MeasureErrorNo::kNoError,       MeasureErrorNo::kInstantiationError,
    MeasureErrorNo::kCompileHost,   MeasureErrorNo::kRuntimeDevice,
    MeasureErrorNo::kWrongAnswer,   MeasureErrorNo::kBuildTimeout,
    MeasureErrorNo::kRunTimeout,    MeasureErrorNo::kUnknownError,
};

}  // namespace

absl::string_view MeasureErrorName(MeasureErrorNo error) {
  switch (error) {
    case MeasureErrorNo::kNoError: return "NO_ERROR";
    case MeasureErrorNo::kInstantiationError: return "INSTANTIATION_ERROR";
    case MeasureErrorNo::kCompileHost: return "COMPILE_HOST";
    case MeasureErrorNo::kRuntimeDevice: return "RUNTIME_DEVICE";
    case MeasureErrorNo::kWrongAnswer: return "WRONG_ANSWER";
    case MeasureErrorNo::kBuildTimeout: return "BUILD_TIMEOUT";
    case MeasureErrorNo::kRunTimeout: return "RUN_TIMEOUT";
    case MeasureErrorNo::kUnknownError: return "UNKNOWN_ERROR";
  }
  return "UNKNOWN_ERROR";
}

absl::StatusOr<MeasureErrorNo> ParseMeasureErrorName(absl::string_view name) {
  for (MeasureErrorNo error : kAllErrors) {
    if (MeasureErrorName(error) == name) return error;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown measure error '", name, "'"));
}

double MeasureResult::MedianCost() const {
  if (!ok()) return std::numeric_limits<double>::infinity();
  std::vector<double> sorted = costs;
  std::sort(sorted.begin(), sorted.end());
  const size_t n = sorted.size();
  return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

absl::Status MeasureOption::Validate() const {
  if (auto st = timing().Validate(); !st.ok()) return st;
  if (!(timeout_s > 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "measure option timeout must be > 0 seconds, got ", timeout_s));
  }
  if (n_parallel < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "measure option n_parallel must be >= 1, got ", n_parallel));
  }
  return absl::OkStatus();
}

double Throughput(double flop, const MeasureResult& result) {
  if (!result.ok()) return 0.0;
  double cost = result.MedianCost();
  if (!(cost > 0)) return 0.0;  // a zero or negative cost is not a result
  return (flop > 0 ? flop : 1.0) / cost;
}

}  // namespace kiln::tuners

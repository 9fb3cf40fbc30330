// What a measurement is given, what it returns, and how it is configured.
//
// The tuning loop hands batches of MeasureInput to a MeasureFunction and gets
// one MeasureResult back per input. The function that builds and runs real
// kernels lives with the operators; tests plug in synthetic cost functions.
#ifndef KILN_TUNERS_MEASURE_H_
#define KILN_TUNERS_MEASURE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ir/tuning/config_space.h"
#include "ir/tuning/task.h"
#include "runtime/kernel_timer.h"

namespace kiln::tuners {

// Why a measurement has no valid cost. The numbers are part of no format
// (records store the names), so entries may be added anywhere.
enum class MeasureErrorNo {
  kNoError,
  kInstantiationError,  // the template rejected the config
  kCompileHost,         // lowering or code generation failed
  kRuntimeDevice,       // the kernel crashed (signal in the child process)
  kWrongAnswer,         // the kernel's output differs from the reference
  kBuildTimeout,
  kRunTimeout,
  kUnknownError,
};

// "NO_ERROR", "INSTANTIATION_ERROR", "COMPILE_HOST", "RUNTIME_DEVICE",
// "WRONG_ANSWER", "BUILD_TIMEOUT", "RUN_TIMEOUT", "UNKNOWN_ERROR".
absl::string_view MeasureErrorName(MeasureErrorNo error);
absl::StatusOr<MeasureErrorNo> ParseMeasureErrorName(absl::string_view name);

struct MeasureInput {
  // Not owned; the task outlives the tuning run that measures it.
  const tuning::TuningTask* task;
  tuning::Config config;
};

struct MeasureResult {
  // Seconds per run, one entry per repeat (empty on error).
  std::vector<double> costs;
  MeasureErrorNo error_no = MeasureErrorNo::kNoError;
  std::string error_msg;
  // Wall seconds spent on this measurement: build, load, all runs.
  double all_cost = 0;
  // Unix seconds at which the measurement finished.
  double timestamp = 0;

  bool ok() const {
    return error_no == MeasureErrorNo::kNoError && !costs.empty();
  }
  // The median of costs (the mean of the middle two for an even count), the
  // one statistic kiln reports and learns from: a stray slow sample (an
  // interrupt, a page fault) moves it far less than a mean. Infinity for a
  // failed measurement, so "smallest cost wins" never picks one.
  double MedianCost() const;
};

// How candidate kernels are run (LocalRunner's knobs in AutoTVM).
struct MeasureOption {
  int number = 1;  // runs per timed repeat; the cost is their mean
  int repeat = 3;  // timed repeats; each gives one entry of costs
  // When > 0, `number` grows until one repeat takes at least this long, so
  // that microsecond kernels are not timed by the clock's resolution.
  int min_repeat_ms = 0;
  double timeout_s = 10;  // per build and per run, in seconds
  // Evict caches before every repeat so kernels are timed as they run inside
  // a network: weights cold (a model streams ~100 MB of them per inference),
  // activations warm (the kernel measure reads them back in after the
  // flush). Timing activations cold too rewarded schedules that hide a cold
  // input, which inside the model were up to 40% slower than the default.
  // Use with number = 1: the later runs of a repeat are warm again.
  bool enable_cpu_cache_flush = false;
  int n_parallel = 1;  // builds in flight at once

  absl::Status Validate() const;
  runtime::TimingOptions timing() const {
    return {number, repeat, min_repeat_ms, enable_cpu_cache_flush};
  }
};

// Throughput score of a result: flop / median cost (1 / median cost when the
// flop count is unknown, i.e. <= 0), and 0 for a failed measurement, so
// that failures rank below every valid config.
double Throughput(double flop, const MeasureResult& result);

// Measures a batch: one result per input, in order. A non-OK status means
// the measuring machinery itself failed (and ends tuning); a config that
// fails to build or run is an OK status with an error_no in its result.
using MeasureFunction = std::function<absl::StatusOr<std::vector<MeasureResult>>(
    const std::vector<MeasureInput>&)>;

}  // namespace kiln::tuners

#endif  // KILN_TUNERS_MEASURE_H_

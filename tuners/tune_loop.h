// The tuning loop: ask the tuner for a batch, measure it, tell the tuner,
// report to callbacks, until the trial budget, early stopping or the end of
// the space.
#ifndef KILN_TUNERS_TUNE_LOOP_H_
#define KILN_TUNERS_TUNE_LOOP_H_

#include <functional>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ir/tuning/config_space.h"
#include "ir/tuning/task.h"
#include "tuners/measure.h"
#include "tuners/tuner.h"

namespace kiln::tuners {

// Where a tuning run stands; what callbacks see.
struct TuneState {
  const tuning::TuningTask* task = nullptr;
  int n_trial = 0;
  int trials_done = 0;  // measurements so far, resumed ones included
  int resumed = 0;      // of which taken from the resume records
  // Throughput as measure.h's Throughput: flop/s, or runs/s without flops.
  double best_throughput = 0;
  std::optional<tuning::Config> best_config;
  MeasureResult best_result;
  double current_throughput = 0;  // best of the latest batch
  int trials_since_best = 0;
  double elapsed_seconds = 0;
};

// A hook into the loop. on_batch runs after every measured batch (and the
// tuner's Update); an error from it ends tuning with that error — losing
// records silently would be worse. on_finish runs once when the loop ends
// normally. Either may be empty.
struct Callback {
  std::function<absl::Status(const TuneState&, const std::vector<MeasureInput>&,
                             const std::vector<MeasureResult>&)>
      on_batch;
  std::function<void(const TuneState&)> on_finish;
};

enum class StopReason { kTrialBudget, kEarlyStopping, kSpaceExhausted };

struct TuneSummary {
  TuneState state;  // final
  StopReason stop_reason = StopReason::kTrialBudget;
  int measured = 0;  // measurements made by this run (resumed excluded)
};

// Tunes `task` with `tuner` (built for this task). Errors: invalid options
// or task (TuningTask::Validate), and any error from the tuner, the measure
// function or a callback. Failed measurements are not errors: they score 0.
absl::StatusOr<TuneSummary> Tune(const tuning::TuningTask& task, Tuner& tuner,
                                 const TuneOptions& options, const MeasureFunction& measure,
                                 std::vector<Callback> callbacks = {});

// The same with a tuner created from TunerRegistry() by name, seeded with
// options.seed (which replaces tuner_options.seed).
absl::StatusOr<TuneSummary> Tune(const tuning::TuningTask& task, absl::string_view tuner_name,
                                 TunerOptions tuner_options, const TuneOptions& options,
                                 const MeasureFunction& measure,
                                 std::vector<Callback> callbacks = {});

}  // namespace kiln::tuners

#endif  // KILN_TUNERS_TUNE_LOOP_H_

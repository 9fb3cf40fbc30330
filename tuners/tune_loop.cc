#include "tuners/tune_loop.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "tuners/records.h"

namespace kiln::tuners {
namespace {

// Folds one measurement into the state.
void Account(const MeasureInput& input, const MeasureResult& result,
             TuneState& state) {
  ++state.trials_done;
  double throughput = Throughput(state.task->flop, result);
  if (throughput > state.best_throughput) {
    state.best_throughput = throughput;
    state.best_config = input.config;
    state.best_result = result;
    state.trials_since_best = 0;
  } else {
    ++state.trials_since_best;
  }
}

// Feeds the records of this workload to the tuner as already measured.
// Records whose config no longer fits the space, and repeats of a config,
// are left out.
absl::Status Resume(const std::vector<Record>& records, const tuning::TuningTask& task,
                    Tuner& tuner, TuneState& state) {
  const std::string key = task.WorkloadKey();
  std::vector<MeasureInput> inputs;
  std::vector<MeasureResult> results;
  absl::flat_hash_set<int64_t> seen;
  int unfit = 0;
  for (const Record& record : records) {
    if (record.WorkloadKey() != key) continue;
    absl::StatusOr<tuning::Config> config = task.space.FromJson(record.config);
    if (!config.ok()) {
      ++unfit;
      continue;
    }
    if (!seen.insert(config->index()).second) continue;
    inputs.push_back({&task, *std::move(config)});
    results.push_back(record.result);
  }
  if (unfit > 0) {
    LOG(WARNING) << unfit << " records of " << task.name
                 << " do not fit its current config space; ignored";
  }
  if (inputs.empty()) return absl::OkStatus();
  absl::Status updated = tuner.Update(inputs, results);
  if (!updated.ok()) return updated;
  for (size_t i = 0; i < inputs.size(); ++i) {
    Account(inputs[i], results[i], state);
  }
  state.resumed = static_cast<int>(inputs.size());
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TuneSummary> Tune(const tuning::TuningTask& task, Tuner& tuner,
                                 const TuneOptions& options, const MeasureFunction& measure,
                                 std::vector<Callback> callbacks) {
  absl::Status valid = options.Validate();
  if (!valid.ok()) return valid;
  valid = task.Validate();
  if (!valid.ok()) return valid;
  if (&tuner.task() != &task &&
      tuner.task().WorkloadKey() != task.WorkloadKey()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the tuner was built for task ", tuner.task().name, ", not ",
        task.name));
  }
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();

  TuneSummary summary;
  TuneState& state = summary.state;
  state.task = &task;
  state.n_trial = options.n_trial;
  if (options.resume != nullptr) {
    absl::Status resumed = Resume(*options.resume, task, tuner, state);
    if (!resumed.ok()) return resumed;
  }

  while (true) {
    if (state.trials_done >= options.n_trial) {
      summary.stop_reason = StopReason::kTrialBudget;
      break;
    }
    if (options.early_stopping > 0 &&
        state.trials_since_best >= options.early_stopping) {
      summary.stop_reason = StopReason::kEarlyStopping;
      break;
    }
    int want = std::min(options.batch_size, options.n_trial - state.trials_done);
    absl::StatusOr<std::vector<tuning::Config>> batch = tuner.NextBatch(want);
    if (!batch.ok()) return batch.status();
    if (batch->empty()) {
      summary.stop_reason = StopReason::kSpaceExhausted;
      break;
    }
    std::vector<MeasureInput> inputs;
    inputs.reserve(batch->size());
    for (tuning::Config& config : *batch) inputs.push_back({&task, std::move(config)});
    absl::StatusOr<std::vector<MeasureResult>> results = measure(inputs);
    if (!results.ok()) return results.status();
    if (results->size() != inputs.size()) {
      return absl::InternalError(
          absl::StrCat("the measure function returned ", results->size(),
                       " results for ", inputs.size(), " inputs"));
    }
    state.current_throughput = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
      Account(inputs[i], (*results)[i], state);
      state.current_throughput = std::max(
          state.current_throughput, Throughput(task.flop, (*results)[i]));
    }
    summary.measured += static_cast<int>(inputs.size());
    absl::Status updated = tuner.Update(inputs, *results);
    if (!updated.ok()) return updated;
    state.elapsed_seconds =
        std::chrono::duration<double>(Clock::now() - start).count();
    for (const Callback& callback : callbacks) {
      if (!callback.on_batch) continue;
      absl::Status status = callback.on_batch(state, inputs, *results);
      if (!status.ok()) return status;
    }
  }
  state.elapsed_seconds =
      std::chrono::duration<double>(Clock::now() - start).count();
  for (const Callback& callback : callbacks) {
    if (callback.on_finish) callback.on_finish(state);
  }
  return summary;
}

absl::StatusOr<TuneSummary> Tune(const tuning::TuningTask& task, absl::string_view tuner_name,
                                 TunerOptions tuner_options, const TuneOptions& options,
                                 const MeasureFunction& measure, std::vector<Callback> callbacks) {
  tuner_options.seed = options.seed;
  absl::StatusOr<std::unique_ptr<Tuner>> tuner =
      CreateTuner(tuner_name, task, tuner_options);
  if (!tuner.ok()) return tuner.status();
  return Tune(task, **tuner, options, measure, std::move(callbacks));
}

}  // namespace kiln::tuners

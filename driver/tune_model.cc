#include "driver/tune_model.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "ir/ops/conv2d_nchwc_task.h"
#include "tuners/graph_tasks.h"
#include "tuners/kernel_measure.h"
#include "tuners/log_to_file.h"
#include "tuners/progress_bar.h"
#include "tuners/records.h"
#include "tuners/tune_loop.h"

namespace kiln::driver {
namespace {

// Appends the valid lines of `prior` to `records` (creating it), so that
// one file holds everything and resuming needs only that file.
absl::Status MergePrior(const std::string& prior, const std::string& records) {
  if (prior.empty() || prior == records) return absl::OkStatus();
  auto loaded = tuners::ReadRecords(prior);
  if (!loaded.ok()) return loaded.status();
  auto existing = tuners::ReadRecords(records);
  std::vector<std::string> have;
  if (existing.ok()) {
    for (const auto& r : existing->records) have.push_back(tuners::RecordToJson(r).Dump());
  } else if (existing.status().code() != absl::StatusCode::kNotFound) {
    return existing.status();
  }
  auto writer = tuners::RecordWriter::Open(records);
  if (!writer.ok()) return writer.status();
  for (const tuners::Record& r : loaded->records) {
    if (std::find(have.begin(), have.end(), tuners::RecordToJson(r).Dump()) != have.end()) continue;
    if (auto st = (*writer)->Append(r); !st.ok()) return st;
  }
  return absl::OkStatus();
}

// Late leaders measured as often as the confirmed configs before one stays
// on top; bounds the extra measurements of a task whose configs all measure
// alike.
constexpr int kMaxLatePicks = 6;

// Measures `configs` `rounds` more times, all of them in each round.
absl::Status MeasureRounds(const tuners::GraphTask& t, const tuners::MeasureFunction& measure,
                           const std::vector<tuners::Config>& configs, int rounds,
                           tuners::RecordWriter& writer) {
  std::vector<tuners::MeasureInput> inputs;
  for (const tuners::Config& c : configs) inputs.push_back({&t.task, c});
  for (int round = 0; round < rounds; ++round) {
    auto results = measure(inputs);
    if (!results.ok()) return results.status();
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (auto st = writer.Append(tuners::MakeRecord(inputs[i], (*results)[i])); !st.ok()) {
        return st;
      }
    }
  }
  return absl::OkStatus();
}

// Measures the best `confirm_top` configs of the records and the default
// `confirm_rounds` times more. Confirmed configs drift back towards their
// true speed, which can leave a config measured once on top (the best of
// many noisy single measurements is a lucky one): such a pick is measured
// as often as the confirmed ones too, until the pick is a confirmed one.
absl::Status Confirm(const tuners::GraphTask& t, const tuners::MeasureFunction& measure,
                     const TuneModelOptions& options, tuners::RecordWriter& writer) {
  auto file = tuners::ReadRecords(options.records);
  if (!file.ok()) return file.status();
  std::vector<tuners::Config> configs =
      tuners::HistoryBest::FromRecords(file->records).RankedConfigs(t.task, options.confirm_top);
  if (std::none_of(configs.begin(), configs.end(), [&](const tuners::Config& c) {
        return c.index() == t.default_config.index();
      })) {
    configs.push_back(t.default_config);
  }
  if (auto st = MeasureRounds(t, measure, configs, options.confirm_rounds, writer); !st.ok()) {
    return st;
  }
  const size_t confirmed =
      static_cast<size_t>(1 + options.confirm_rounds) * options.measure.repeat;
  for (int pick = 0; pick < kMaxLatePicks; ++pick) {
    file = tuners::ReadRecords(options.records);
    if (!file.ok()) return file.status();
    const tuners::HistoryBest best = tuners::HistoryBest::FromRecords(file->records);
    const tuners::Record* top = best.Find(t.task);
    if (top == nullptr || top->result.costs.size() >= confirmed) break;
    auto config = t.task.space.FromJson(top->config);
    if (!config.ok()) return config.status();
    if (auto st = MeasureRounds(t, measure, {*config}, options.confirm_rounds, writer);
        !st.ok()) {
      return st;
    }
  }
  return absl::OkStatus();
}

// GFLOPS of the records' pick and of the default, each from the median of
// all its samples.
absl::Status ReportFromRecords(const tuners::GraphTask& t, const std::string& records,
                               TaskReport& report) {
  auto file = tuners::ReadRecords(records);
  if (!file.ok()) return file.status();
  const tuners::HistoryBest best = tuners::HistoryBest::FromRecords(file->records);
  const auto gflops = [&](const tuners::Record* r) {
    return r == nullptr ? 0.0 : t.task.flop / r->result.MedianCost() / 1e9;
  };
  report.best_gflops = gflops(best.Find(t.task));
  report.default_gflops = gflops(best.FindConfig(t.task, t.default_config));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<TaskReport>> TuneModel(const graph::Graph& g,
                                                  const targets::Target& target,
                                                  const TuneModelOptions& options) {
  if (options.records.empty()) return absl::InvalidArgumentError("no records file to write");
  if (options.trials < 1) return absl::InvalidArgumentError("--trials must be at least 1");
  if (auto st = options.measure.Validate(); !st.ok()) return st;
  if (auto st = tuners::TunerRegistry().Find(options.tuner).status(); !st.ok()) return st;
  if (auto st = MergePrior(options.prior, options.records); !st.ok()) return st;
  auto tasks = tuners::ExtractTasks(g, target);
  if (!tasks.ok()) return tasks.status();
  const size_t count = options.max_tasks > 0
                           ? std::min<size_t>(tasks->size(), options.max_tasks)
                           : tasks->size();
  auto log = tuners::LogToFile(options.records);
  if (!log.ok()) return log.status();
  auto writer = tuners::RecordWriter::Open(options.records);
  if (!writer.ok()) return writer.status();

  std::vector<TaskReport> reports;
  for (size_t k = 0; k < count; ++k) {
    const tuners::GraphTask& t = (*tasks)[k];
    const auto start = std::chrono::steady_clock::now();
    auto measure = tuners::MakeKernelMeasure(ir::ops::Conv2dNCHWcHarness(t.workload), target,
                                             options.measure, t.default_config);
    if (!measure.ok()) return measure.status();
    TaskReport report{t.workload.ToString(), t.occurrences, 0, 0, 0, 0};
    // The default schedule is measured like any candidate (once per
    // records file, and again when confirming), so the records' pick is
    // never one that measured slower than it.
    auto existing = tuners::ReadRecords(options.records);
    if (!existing.ok()) return existing.status();
    if (tuners::HistoryBest::FromRecords(existing->records)
            .FindConfig(t.task, t.default_config) == nullptr) {
      const tuners::MeasureInput input{&t.task, t.default_config};
      auto results = (*measure)({input});
      if (!results.ok()) return results.status();
      if (auto st = (*writer)->Append(tuners::MakeRecord(input, (*results)[0])); !st.ok()) {
        return st;
      }
    }
    tuners::TuneOptions tune;
    tune.n_trial = static_cast<int>(std::min<int64_t>(options.trials, t.task.space.size()));
    tune.early_stopping = options.early_stopping;
    tune.batch_size = std::min(8, tune.n_trial);
    tune.seed = options.seed + k;
    tune.resume_from = options.records;
    tuners::ProgressBarOptions bar;
    bar.task_index = static_cast<int>(k + 1);
    bar.task_count = static_cast<int>(count);
    bar.out = options.progress;
    tuners::TunerOptions tuner_options;
    tuner_options.seed = tune.seed;
    tuner_options.params = options.tuner_params;
    tuner_options.population_size = options.population_size;
    auto tuner = tuners::CreateTuner(options.tuner, t.task, tuner_options);
    if (!tuner.ok()) return tuner.status();
    // Transfer learning: every other workload measured so far (earlier
    // tasks of this run, the prior records) seeds the cost model.
    std::vector<tuners::Record> others;
    auto so_far = tuners::ReadRecords(options.records);
    if (!so_far.ok()) return so_far.status();
    for (const tuners::Record& r : so_far->records) {
      if (r.task_name == t.task.name && r.WorkloadKey() != t.task.WorkloadKey()) {
        others.push_back(r);
      }
    }
    if (auto used = (*tuner)->LoadHistory(others); !used.ok()) return used.status();
    auto summary = tuners::Tune(t.task, **tuner, tune, *measure, {tuners::ProgressBar(bar), *log});
    if (!summary.ok()) return summary.status();
    if (auto st = Confirm(t, *measure, options, **writer); !st.ok()) return st;
    if (auto st = ReportFromRecords(t, options.records, report); !st.ok()) return st;
    report.trials = summary->state.trials_done;
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    reports.push_back(report);
  }
  return reports;
}

}  // namespace kiln::driver

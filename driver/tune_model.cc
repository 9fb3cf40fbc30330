#include "driver/tune_model.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "driver/confirm_in_model.h"
#include "ir/tuning/template_registry.h"
#include "tuners/graph_tasks.h"
#include "tuners/kernel_measure.h"
#include "tuners/progress_bar.h"
#include "tuners/record_store.h"
#include "tuners/records.h"
#include "tuners/tune_loop.h"

namespace kiln::driver {
namespace {

// Appends the valid records of `prior` that `store` lacks, so that one file
// holds everything and resuming needs only that file.
absl::Status MergePrior(const std::string& prior, tuners::RecordStore& store) {
  if (prior.empty() || prior == store.path()) return absl::OkStatus();
  auto loaded = tuners::ReadRecords(prior);
  if (!loaded.ok()) return loaded.status();
  absl::flat_hash_set<std::string> have;
  for (const tuners::Record& r : store.records()) have.insert(tuners::RecordToJson(r).Dump());
  for (const tuners::Record& r : loaded->records) {
    if (!have.insert(tuners::RecordToJson(r).Dump()).second) continue;
    if (auto st = store.Append(r); !st.ok()) return st;
  }
  return absl::OkStatus();
}

// Measures `configs` once each, as one batch, and records the results.
absl::Status MeasureOnce(const tuners::GraphTask& t, const tuners::MeasureFunction& measure,
                         const std::vector<tuning::Config>& configs, tuners::RecordStore& store) {
  if (configs.empty()) return absl::OkStatus();
  std::vector<tuners::MeasureInput> inputs;
  for (const tuning::Config& c : configs) inputs.push_back({&t.task, c});
  auto results = measure(inputs);
  if (!results.ok()) return results.status();
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (auto st = store.Append(tuners::MakeRecord(inputs[i], (*results)[i])); !st.ok()) {
      return st;
    }
  }
  return absl::OkStatus();
}

// Timing samples of `config` in the records (0 when it has no valid one).
size_t Samples(const tuners::RecordStore& store, const tuners::GraphTask& t,
               const tuning::Config& config) {
  const tuners::HistoryBest best = store.Best();
  const tuners::Record* r = best.FindConfig(t.task, config);
  return r == nullptr ? 0 : r->result.costs.size();
}

// Measurement rounds confirmation may take for one task: bounds the extra
// measurements of a task whose configs all measure alike, where new
// leaders keep appearing.
constexpr int kMaxConfirmRounds = 12;

// Brings the best `confirm_top` configs of the records and the default to
// (1 + confirm_rounds) x repeat samples, a round at a time so that they are
// measured alternately. Confirmed configs drift back towards their true
// speed, which can bring a config measured once into the top (the best of
// many noisy single measurements is a lucky one): the top is taken anew
// each round, so such a config is measured as often too before the task
// ends. Counting samples, not rounds, makes a rerun of a confirmed task
// measure nothing.
absl::Status Confirm(const tuners::GraphTask& t, const tuners::MeasureFunction& measure,
                     const TuneModelOptions& options, tuners::RecordStore& store) {
  const size_t confirmed = (1 + options.confirm_rounds) * options.measure.repeat;
  for (int round = 0; round < kMaxConfirmRounds; ++round) {
    std::vector<tuning::Config> configs =
        store.Best().RankedConfigs(t.task, options.confirm_top);
    if (std::none_of(configs.begin(), configs.end(), [&](const tuning::Config& c) {
          return c.index() == t.default_config.index();
        })) {
      configs.push_back(t.default_config);
    }
    std::vector<tuning::Config> short_of;
    for (const tuning::Config& c : configs) {
      if (Samples(store, t, c) < confirmed) short_of.push_back(c);
    }
    if (short_of.empty()) break;
    if (auto st = MeasureOnce(t, measure, short_of, store); !st.ok()) return st;
  }
  return absl::OkStatus();
}

// GFLOPS of the records' pick and of the default, each from the median of
// all its samples measured alone.
void ReportFromRecords(const tuners::GraphTask& t, const tuners::RecordStore& store,
                       TaskReport& report) {
  const tuners::HistoryBest best = store.Best();
  const auto gflops = [&](const tuners::Record* r) {
    return r == nullptr ? 0.0 : t.task.flop / r->result.MedianCost() / 1e9;
  };
  absl::StatusOr<tuning::Config> pick = best.BestConfig(t.task);
  report.best_gflops = gflops(pick.ok() ? best.FindConfig(t.task, *pick) : nullptr);
  report.default_gflops = gflops(best.FindConfig(t.task, t.default_config));
}

// On Ctrl-C (or SIGTERM) while tuning: the first asks the run to stop after
// the trials being measured, which are then recorded (stop_requested());
// a second says how many records are safe and how to go on, then dies of
// the signal as it would have. Only what is async-signal-safe runs in the
// handler: the messages are built from a counter and a path prepared
// beforehand.
class InterruptReport {
 public:
  explicit InterruptReport(const tuners::RecordStore& store) {
    appended_ = &store.appended();
    loaded_ = static_cast<long>(store.loaded());
    std::snprintf(path_, sizeof(path_), "%s", store.path().c_str());
    owner_ = getpid();
    struct sigaction action;
    std::memset(&action, 0, sizeof(action));
    action.sa_handler = &Handle;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous_int_);
    sigaction(SIGTERM, &action, &previous_term_);
  }
  ~InterruptReport() {
    sigaction(SIGINT, &previous_int_, nullptr);
    sigaction(SIGTERM, &previous_term_, nullptr);
    appended_ = nullptr;
    stop_requested_ = 0;
  }
  InterruptReport(const InterruptReport&) = delete;
  InterruptReport& operator=(const InterruptReport&) = delete;

  bool stop_requested() const { return stop_requested_ != 0; }
  // What the run says when it stops at a request: as the second signal's
  // message, as an error.
  absl::Status Stopped() const {
    char message[sizeof(path_) + 200];
    const size_t n = Message(message, sizeof(message));
    return absl::CancelledError(absl::StripPrefix(
        absl::StripAsciiWhitespace(absl::string_view(message, n)), "kiln tune: "));
  }

 private:
  static void Append(char*& out, const char* end, const char* text) {
    while (*text != '\0' && out < end) *out++ = *text++;
  }
  static void AppendNumber(char*& out, const char* end, long v) {
    char digits[24];
    int n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v > 0 && n < 24);
    while (n > 0 && out < end) *out++ = digits[--n];
  }
  static size_t Message(char* message, size_t size) {
    char* out = message;
    const char* end = message + size;
    Append(out, end, "\nkiln tune: interrupted; ");
    AppendNumber(out, end, appended_->load(std::memory_order_relaxed) + loaded_);
    Append(out, end, " records are saved in ");
    Append(out, end, path_);
    Append(out, end, " (");
    AppendNumber(out, end, appended_->load(std::memory_order_relaxed));
    Append(out, end, " of them from this run); run the same command again to resume.\n");
    return out - message;
  }
  static void Handle(int sig) {
    // Candidates run in forked children, which share the terminal's
    // process group: they finish their measurement, and only the tuning
    // process reports.
    if (getpid() != owner_ || appended_ == nullptr) return;
    if (stop_requested_ == 0) {
      stop_requested_ = 1;
      static const char kStopping[] =
          "\nkiln tune: stopping after the trials being measured (interrupt again to stop "
          "now)\n";
      (void)!write(STDERR_FILENO, kStopping, sizeof(kStopping) - 1);
      return;
    }
    char message[sizeof(path_) + 200];
    (void)!write(STDERR_FILENO, message, Message(message, sizeof(message)));
    signal(sig, SIG_DFL);
    raise(sig);
  }

  static inline const std::atomic<int>* appended_ = nullptr;
  static inline long loaded_ = 0;
  static inline char path_[4096] = {};
  static inline pid_t owner_ = 0;
  static inline volatile sig_atomic_t stop_requested_ = 0;
  struct sigaction previous_int_, previous_term_;
};

}  // namespace

absl::StatusOr<tuners::MeasureFunction> MakeTaskMeasure(const tuners::GraphTask& t,
                                                        const targets::Target& target,
                                                        const tuners::MeasureOption& option,
                                                        const tuners::RemoteOptions& remote) {
  auto tmpl = tuning::TemplateRegistry().Find(t.task.name);
  if (!tmpl.ok()) return tmpl.status();
  auto harness = tmpl->harness(t.task);
  if (!harness.ok()) return harness.status();
  if (!remote.broker.empty()) {
    return tuners::MakeRemoteMeasure(*std::move(harness), target, option, t.default_config,
                                     remote);
  }
  return tuners::MakeKernelMeasure(*std::move(harness), target, option, t.default_config);
}

absl::StatusOr<std::vector<TaskReport>> TuneModel(const graph::Graph& g,
                                                  const targets::Target& target,
                                                  const TuneModelOptions& options) {
  if (options.records.empty()) return absl::InvalidArgumentError("no records file to write");
  if (options.trials < 1) return absl::InvalidArgumentError("--trials must be at least 1");
  if (auto st = options.measure.Validate(); !st.ok()) return st;
  if (auto st = tuners::TunerRegistry().Find(options.tuner).status(); !st.ok()) return st;
  auto tasks = tuners::ExtractTasks(g, target);
  if (!tasks.ok()) return tasks.status();
  if (tasks->empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "nothing to tune: the model has no operator kiln can tune (tunable templates: ",
        absl::StrJoin(tuning::TemplateRegistry().Names(), ", "), "); ", options.records,
        " was not written"));
  }
  auto store = tuners::RecordStore::Open(options.records);
  if (!store.ok()) return store.status();
  if (auto st = MergePrior(options.prior, **store); !st.ok()) return st;
  if ((*store)->loaded() > 0 && options.progress != nullptr) {
    std::fprintf(options.progress, "resuming from %s: %zu records of earlier runs\n",
                 options.records.c_str(), (*store)->loaded());
  }
  const InterruptReport interrupt_report(**store);
  const size_t count = options.max_tasks > 0
                           ? std::min<size_t>(tasks->size(), options.max_tasks)
                           : tasks->size();
  tuners::Callback record_each;
  record_each.on_batch = [&store, &interrupt_report](
                             const tuners::TuneState&,
                             const std::vector<tuners::MeasureInput>& inputs,
                             const std::vector<tuners::MeasureResult>& results) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (auto st = (*store)->Append(tuners::MakeRecord(inputs[i], results[i])); !st.ok()) {
        return st;
      }
    }
    return interrupt_report.stop_requested() ? interrupt_report.Stopped() : absl::OkStatus();
  };

  std::vector<TaskReport> reports;
  for (size_t k = 0; k < count; ++k) {
    if (interrupt_report.stop_requested()) return interrupt_report.Stopped();
    const tuners::GraphTask& t = (*tasks)[k];
    const auto start = std::chrono::steady_clock::now();
    auto measure = MakeTaskMeasure(t, target, options.measure, options.remote);
    if (!measure.ok()) return measure.status();
    TaskReport report{tuning::DescribeTask(t.task), t.occurrences, 0, 0, 0, 0};
    // The default schedule is measured like any candidate (once per
    // records file, and again when confirming), so the records' pick is
    // never one that measured slower than it.
    if (Samples(**store, t, t.default_config) == 0) {
      if (auto st = MeasureOnce(t, *measure, {t.default_config}, **store); !st.ok()) return st;
    }
    tuners::TuneOptions tune;
    tune.n_trial = static_cast<int>(std::min<int64_t>(options.trials, t.task.space.size()));
    tune.early_stopping = options.early_stopping;
    // Through a broker a batch is measured at once by as many workers, so
    // a batch of at least as many candidates as builds in flight keeps
    // every build thread busy.
    const int batch = options.remote.broker.empty() ? 8 : std::max(8, options.measure.n_parallel);
    tune.batch_size = std::min(batch, tune.n_trial);
    tune.seed = options.seed + k;
    // A snapshot: the loop records into the store while it runs.
    const std::vector<tuners::Record> so_far = (*store)->records();
    tune.resume = &so_far;
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
    // Transfer learning: every other workload of the template measured so
    // far (earlier tasks of this run, earlier runs) seeds the cost model.
    std::vector<tuners::Record> others;
    for (const tuners::Record& r : so_far) {
      if (r.task_name == t.task.name && r.WorkloadKey() != t.task.WorkloadKey()) {
        others.push_back(r);
      }
    }
    if (auto used = (*tuner)->LoadHistory(others); !used.ok()) return used.status();
    auto summary =
        tuners::Tune(t.task, **tuner, tune, *measure, {tuners::ProgressBar(bar), record_each});
    if (!summary.ok()) return summary.status();
    if (auto st = Confirm(t, *measure, options, **store); !st.ok()) return st;
    ReportFromRecords(t, **store, report);
    // The bar's "Best" is the best single measurement; what the records
    // pick, and the summary reports, is the confirmed median, usually a
    // little lower. Saying both keeps the numbers from contradicting.
    if (options.progress != nullptr) {
      std::fprintf(options.progress,
                   "[Task %2zu/%2zu]  Confirmed: %.2f GFLOPS (the pick's median over all its "
                   "samples; default %.2f)\n",
                   k + 1, count, report.best_gflops, report.default_gflops);
    }
    report.trials = summary->state.trials_done;
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    reports.push_back(report);
  }
  if (options.in_model_rounds > 0) {
    const std::vector<tuners::GraphTask> tuned(tasks->begin(), tasks->begin() + count);
    auto checked = ConfirmInModel(g, target, tuned, **store, options.in_model_rounds,
                                  options.progress);
    if (!checked.ok()) return checked.status();
    // The reports say what the records now pick.
    for (size_t k = 0; k < reports.size(); ++k) {
      ReportFromRecords(tuned[k], **store, reports[k]);
    }
  }
  return reports;
}

}  // namespace kiln::driver

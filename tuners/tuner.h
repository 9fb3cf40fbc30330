// The tuner interface, its plugin registry and the options of a tuning run.
//
// A tuner proposes configs of a task's space to measure and learns from the
// results. Tuners are plugins: each lives in its own alwayslink cc_library
// and registers a factory in TunerRegistry() under a name ("random", "ga",
// "xgb_rank_curve", ...), so a binary offers exactly the tuners it links.
// docs/ADDING_A_TUNER.md shows how to write one.
#ifndef KILN_TUNERS_TUNER_H_
#define KILN_TUNERS_TUNER_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ir/tuning/config_space.h"
#include "ir/tuning/task.h"
#include "runtime/registry.h"
#include "tuners/measure.h"
#include "tuners/records.h"

namespace kiln::tuners {

// What a tuner factory is given besides the task.
struct TunerOptions {
  // All of a tuner's randomness derives from this: the same seed and the
  // same measured costs give the same sequence of proposals.
  uint64_t seed = 0;
  // Population of population-based tuners (ga: individuals per generation;
  // xgb: parallel simulated-annealing chains). 0: the tuner's default.
  int population_size = 0;
  // Plugin-specific settings by name, e.g. {"elite_num", "3"}. Tuners
  // reject names they do not know, so a typo is an error, not a no-op.
  std::map<std::string, std::string> params;

  // The parameter `name` parsed as a number, `fallback` when absent;
  // InvalidArgument when it does not parse.
  absl::StatusOr<int64_t> IntParam(absl::string_view name,
                                   int64_t fallback) const;
  absl::StatusOr<double> DoubleParam(absl::string_view name,
                                     double fallback) const;
  // InvalidArgument naming the first parameter not in `known`.
  absl::Status CheckKnownParams(
      absl::string_view tuner, std::initializer_list<absl::string_view> known) const;
};

class Tuner {
 public:
  // The task must outlive the tuner.
  explicit Tuner(const tuning::TuningTask& task) : task_(task) {}
  virtual ~Tuner() = default;
  Tuner(const Tuner&) = delete;
  Tuner& operator=(const Tuner&) = delete;

  // Up to `n` distinct configs that were neither proposed before nor
  // reported through Update. Fewer (possibly none) only when the space has
  // no unvisited config left.
  absl::StatusOr<std::vector<tuning::Config>> NextBatch(int n);

  // Results of measured configs, inputs[i] <-> results[i]. Configs the tuner
  // did not propose are welcome (resuming from records): they count as
  // visited and feed the tuner's model like any other result.
  absl::Status Update(const std::vector<MeasureInput>& inputs,
                      const std::vector<MeasureResult>& results);

  // Whether an unvisited config is left.
  bool HasNext() const { return num_visited() < task_.space.size(); }

  // Transfer learning: records of this or similar workloads (same template)
  // seed the tuner's cost model before any measurement. Nothing is marked
  // visited — resuming the same workload goes through Update. Returns how
  // many records were used; tuners without a model use none (default).
  virtual absl::StatusOr<int> LoadHistory(const std::vector<Record>& records) {
    return 0;
  }

  const tuning::TuningTask& task() const { return task_; }
  int64_t num_visited() const { return static_cast<int64_t>(visited_.size()); }
  bool IsVisited(int64_t index) const { return visited_.contains(index); }

 protected:
  // Proposes up to n distinct unvisited configs (see NextBatch); what it
  // returns is marked visited by NextBatch. Returning a visited config or
  // one twice is a bug in the plugin and CHECK-fails.
  virtual absl::StatusOr<std::vector<tuning::Config>> Propose(int n) = 0;
  // Learns from results; inputs are already marked visited.
  virtual absl::Status Observe(const std::vector<MeasureInput>& inputs,
                               const std::vector<MeasureResult>& results) {
    return absl::OkStatus();
  }

  // Throughput of a result for this task (measure.h's Throughput).
  double Score(const MeasureResult& result) const {
    return Throughput(task_.flop, result);
  }

 private:
  const tuning::TuningTask& task_;
  absl::flat_hash_set<int64_t> visited_;
};

using TunerFactory = std::function<absl::StatusOr<std::unique_ptr<Tuner>>(const tuning::TuningTask&,
                                                                          const TunerOptions&)>;

Registry<TunerFactory>& TunerRegistry();

// Looks `name` up in TunerRegistry() and builds the tuner.
absl::StatusOr<std::unique_ptr<Tuner>> CreateTuner(absl::string_view name,
                                                   const tuning::TuningTask& task,
                                                   const TunerOptions& options);

// How long a tuning run goes and how it batches measurements.
struct TuneOptions {
  // Measurements in total, counting records the run resumes from.
  int n_trial = 1000;
  // Stop after this many consecutive measurements without a new best
  // (0: never stop early).
  int early_stopping = 0;
  // Configs handed to the measure function at once.
  int batch_size = 16;
  // Seeds the tuner when Tune creates it by name (it replaces
  // TunerOptions::seed there); a tuner built by the caller has its own seed.
  uint64_t seed = 0;
  // Records to resume from (e.g. ReadRecords of an earlier run's file):
  // those of this task's workload count as measured (not measured again,
  // and the tuner learns from them). Null: start fresh.
  const std::vector<Record>* resume = nullptr;

  absl::Status Validate() const;
};

}  // namespace kiln::tuners

#endif  // KILN_TUNERS_TUNER_H_

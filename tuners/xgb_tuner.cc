#include "tuners/xgb_tuner.h"

#include <algorithm>
#include <deque>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "tuners/lazy_permutation.h"
#include "tuners/simulated_annealing.h"

namespace kiln::tuners {
namespace {

// Beyond this many cached feature vectors the cache starts over: annealing
// touches many configs once, and memory should not grow with tuning time.
constexpr size_t kMaxCachedFeatures = 200000;

struct XgbSettings {
  FeatureType feature;
  int plan_size;
  double epsilon;
  int min_train;
  XgbModelOptions model;
  AnnealingOptions annealing;
};

struct Sample {
  int64_t index;
  double throughput;
};

// A workload's transferred records, ready to join a training set.
struct HistoryGroup {
  std::vector<std::vector<float>> features;
  std::vector<double> throughput;
};

class XgbTuner : public Tuner {
 public:
  XgbTuner(const tuning::TuningTask& task, uint64_t seed, const XgbSettings& settings)
      : Tuner(task),
        settings_(settings),
        rng_(seed),
        random_order_(task.space.size()),
        model_(settings.model),
        annealing_(task.space, settings.annealing) {}

  absl::StatusOr<int> LoadHistory(const std::vector<Record>& records) override {
    // Grouped per workload in first-seen order (deterministic).
    std::vector<std::string> keys;
    std::map<std::string, HistoryGroup> groups;
    int used = 0;
    for (const Record& record : records) {
      absl::StatusOr<tuning::Config> config = task().space.FromJson(record.config);
      if (!config.ok()) {
        VLOG(1) << "history record skipped: " << config.status();
        continue;
      }
      absl::StatusOr<const std::vector<float>*> features = Features(*config);
      if (!features.ok()) return features.status();
      std::string key = record.WorkloadKey();
      if (!groups.count(key)) keys.push_back(key);
      HistoryGroup& group = groups[key];
      group.features.push_back(**features);
      // Records carry no flop count; within one workload 1/cost orders
      // configs exactly as flop/cost does, and groups are normalized.
      group.throughput.push_back(Throughput(0, record.result));
      ++used;
    }
    for (const std::string& key : keys) {
      HistoryGroup& group = groups[key];
      if (*std::max_element(group.throughput.begin(), group.throughput.end()) >
          0) {
        history_.push_back(std::move(group));
      }
    }
    absl::Status trained = Retrain();
    if (!trained.ok()) return trained;
    return used;
  }

 protected:
  absl::StatusOr<std::vector<tuning::Config>> Propose(int n) override {
    if (model_.trained() && plan_stale_) {
      absl::Status planned = Plan();
      if (!planned.ok()) return planned;
    }
    std::vector<tuning::Config> batch;
    absl::flat_hash_set<int64_t> taken;
    std::bernoulli_distribution explore(settings_.epsilon);
    while (static_cast<int>(batch.size()) < n) {
      std::optional<int64_t> index;
      if (model_.trained() && !explore(rng_)) index = FromPlan(taken);
      if (!index) index = RandomUnvisited(taken);
      if (!index) break;
      taken.insert(*index);
      batch.push_back(task().space.At(*index));
    }
    return batch;
  }

  absl::Status Observe(const std::vector<MeasureInput>& inputs,
                       const std::vector<MeasureResult>& results) override {
    for (size_t i = 0; i < inputs.size(); ++i) {
      samples_.push_back({inputs[i].config.index(), Score(results[i])});
    }
    return Retrain();
  }

 private:
  absl::StatusOr<const std::vector<float>*> Features(const tuning::Config& config) {
    auto it = feature_cache_.find(config.index());
    if (it != feature_cache_.end()) return &it->second;
    std::vector<float> features = ExtractFeatures(config, settings_.feature);
    if (num_features_ == 0) num_features_ = static_cast<int>(features.size());
    if (static_cast<int>(features.size()) != num_features_ || num_features_ == 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          FeatureTypeName(settings_.feature), " features of ", task().name, " have ",
          features.size(), " values for config ", config.index(), " but ", num_features_,
          " before; a feature extractor must give "
          "every config of a task the same length"));
    }
    if (feature_cache_.size() >= kMaxCachedFeatures) feature_cache_.clear();
    return &feature_cache_.emplace(config.index(), std::move(features)).first->second;
  }

  absl::Status Retrain() {
    int rows = static_cast<int>(samples_.size());
    for (const HistoryGroup& group : history_) {
      rows += static_cast<int>(group.features.size());
    }
    if (rows < settings_.min_train) return absl::OkStatus();
    TrainingSet data;
    for (const HistoryGroup& group : history_) {
      data.AddGroup(group.features, group.throughput);
    }
    if (!samples_.empty()) {
      HistoryGroup own;
      for (const Sample& sample : samples_) {
        absl::StatusOr<const std::vector<float>*> features =
            Features(task().space.At(sample.index));
        if (!features.ok()) return features.status();
        own.features.push_back(**features);
        own.throughput.push_back(sample.throughput);
      }
      data.AddGroup(own.features, own.throughput);
    }
    data.num_features = num_features_;
    absl::Status fitted = model_.Fit(data);
    if (!fitted.ok()) return fitted;
    plan_stale_ = true;
    return absl::OkStatus();
  }

  absl::Status Plan() {
    // Chains start from the best measured configs, the rest continue from
    // the previous search.
    std::vector<Sample> best = samples_;
    std::stable_sort(best.begin(), best.end(),
                     [](const Sample& a, const Sample& b) {
                       return a.throughput > b.throughput;
                     });
    std::vector<int64_t> starts;
    for (size_t i = 0;
         i < best.size() &&
         static_cast<int>(starts.size()) < settings_.annealing.num_chains / 4;
         ++i) {
      starts.push_back(best[i].index);
    }
    BatchScorer score =
        [this](const std::vector<tuning::Config>& configs) -> absl::StatusOr<std::vector<float>> {
      std::vector<float> rows;
      rows.reserve(configs.size() * num_features_);
      for (const tuning::Config& config : configs) {
        absl::StatusOr<const std::vector<float>*> features = Features(config);
        if (!features.ok()) return features.status();
        rows.insert(rows.end(), (*features)->begin(), (*features)->end());
      }
      return model_.Predict(rows, num_features_);
    };
    absl::StatusOr<std::vector<tuning::Config>> plan = annealing_.FindMaximums(
        settings_.plan_size, starts, score, [this](int64_t index) { return IsVisited(index); },
        rng_);
    if (!plan.ok()) return plan.status();
    plan_.clear();
    for (const tuning::Config& config : *plan) plan_.push_back(config.index());
    plan_stale_ = false;
    return absl::OkStatus();
  }

  std::optional<int64_t> FromPlan(const absl::flat_hash_set<int64_t>& taken) {
    while (!plan_.empty()) {
      int64_t index = plan_.front();
      plan_.pop_front();
      if (!IsVisited(index) && !taken.contains(index)) return index;
    }
    return std::nullopt;
  }

  std::optional<int64_t> RandomUnvisited(
      const absl::flat_hash_set<int64_t>& taken) {
    // An index skipped here is visited or in this batch (about to be), so
    // the order loses nothing by moving past it.
    while (std::optional<int64_t> index = random_order_.Next(rng_)) {
      if (!IsVisited(*index) && !taken.contains(*index)) return index;
    }
    return std::nullopt;
  }

  const XgbSettings settings_;
  std::mt19937_64 rng_;
  LazyPermutation random_order_;
  XgbCostModel model_;
  SimulatedAnnealing annealing_;
  int num_features_ = 0;
  absl::flat_hash_map<int64_t, std::vector<float>> feature_cache_;
  std::vector<Sample> samples_;        // this task's measurements
  std::vector<HistoryGroup> history_;  // transferred workloads
  std::deque<int64_t> plan_;
  bool plan_stale_ = true;
};

absl::StatusOr<int> PositiveParam(const TunerOptions& options,
                                  absl::string_view name, int64_t fallback) {
  absl::StatusOr<int64_t> value = options.IntParam(name, fallback);
  if (!value.ok()) return value.status();
  if (*value < 1 || *value > (int64_t{1} << 24)) {
    return absl::InvalidArgumentError(
        absl::StrCat("xgb: ", name, " must be in [1, 2^24], got ", *value));
  }
  return static_cast<int>(*value);
}

absl::StatusOr<double> FractionParam(const TunerOptions& options,
                                     absl::string_view name, double fallback) {
  absl::StatusOr<double> value = options.DoubleParam(name, fallback);
  if (!value.ok()) return value.status();
  if (!(*value >= 0 && *value <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("xgb: ", name, " must be in [0, 1], got ", *value));
  }
  return *value;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Tuner>> MakeXgbTuner(const tuning::TuningTask& task,
                                                    const TunerOptions& options, XgbLoss loss,
                                                    FeatureType feature) {
  absl::Status known = options.CheckKnownParams(
      "xgb", {"plan_size", "epsilon", "min_train", "num_boost_round",
              "max_depth", "sa_steps", "binary_threshold"});
  if (!known.ok()) return known;
  XgbSettings settings;
  settings.feature = feature;
  settings.model.loss = loss;
  settings.model.seed = options.seed;
  absl::StatusOr<int> plan_size = PositiveParam(options, "plan_size", 64);
  if (!plan_size.ok()) return plan_size.status();
  settings.plan_size = *plan_size;
  absl::StatusOr<double> epsilon = FractionParam(options, "epsilon", 0.05);
  if (!epsilon.ok()) return epsilon.status();
  settings.epsilon = *epsilon;
  absl::StatusOr<int> min_train = PositiveParam(options, "min_train", 8);
  if (!min_train.ok()) return min_train.status();
  settings.min_train = *min_train;
  absl::StatusOr<int> rounds = PositiveParam(
      options, "num_boost_round", settings.model.num_boost_round);
  if (!rounds.ok()) return rounds.status();
  settings.model.num_boost_round = *rounds;
  absl::StatusOr<int> depth =
      PositiveParam(options, "max_depth", settings.model.max_depth);
  if (!depth.ok()) return depth.status();
  settings.model.max_depth = *depth;
  absl::StatusOr<double> threshold = FractionParam(
      options, "binary_threshold", settings.model.binary_threshold);
  if (!threshold.ok()) return threshold.status();
  settings.model.binary_threshold = *threshold;
  absl::StatusOr<int> steps =
      PositiveParam(options, "sa_steps", settings.annealing.max_steps);
  if (!steps.ok()) return steps.status();
  settings.annealing.max_steps = *steps;
  if (options.population_size > 0) {
    settings.annealing.num_chains = options.population_size;
  }
  return std::unique_ptr<Tuner>(new XgbTuner(task, options.seed, settings));
}

}  // namespace kiln::tuners

// "ga": a genetic algorithm over knob choices.
//
// Genes are configs as per-knob candidate indices; fitness is measured
// throughput. Each generation takes `population_size` children of parents
// drawn from the best measured configs with probability proportional to
// fitness; the `elite_num` best always parent one child each. A child takes
// every knob from one of its two parents at random (uniform crossover, which
// keeps good knobs together whatever their order), then each knob mutates to
// a random candidate with probability `mutation_prob`. Children that were
// already measured are bred again; when breeding keeps failing (a converged
// population), a random unvisited config stands in.
#include <algorithm>
#include <deque>
#include <memory>
#include <random>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "tuners/lazy_permutation.h"
#include "tuners/tuner.h"

namespace kiln::tuners {
namespace {

constexpr int kDefaultPopulation = 32;
constexpr int kDefaultElites = 3;
constexpr double kDefaultMutation = 0.1;
// Breeding attempts per child before a random config stands in.
constexpr int kBreedAttempts = 20;

struct Individual {
  std::vector<int64_t> genes;
  double fitness;
};

class GaTuner : public Tuner {
 public:
  GaTuner(const tuning::TuningTask& task, uint64_t seed, int population, int elites,
          double mutation)
      : Tuner(task),
        rng_(seed),
        fallback_(task.space.size()),
        population_(population),
        elites_(elites),
        mutation_(mutation) {}

 protected:
  absl::StatusOr<std::vector<tuning::Config>> Propose(int n) override {
    std::vector<tuning::Config> batch;
    while (static_cast<int>(batch.size()) < n) {
      if (pending_.empty()) Breed();
      if (pending_.empty()) break;  // space exhausted
      int64_t index = pending_.front();
      pending_.pop_front();
      if (!IsVisited(index)) batch.push_back(task().space.At(index));
    }
    return batch;
  }

  absl::Status Observe(const std::vector<MeasureInput>& inputs,
                       const std::vector<MeasureResult>& results) override {
    for (size_t i = 0; i < inputs.size(); ++i) {
      measured_.push_back({inputs[i].config.choices(), Score(results[i])});
    }
    // Best first; stable so equal fitness keeps measurement order.
    std::stable_sort(measured_.begin(), measured_.end(),
                     [](const Individual& a, const Individual& b) {
                       return a.fitness > b.fitness;
                     });
    return absl::OkStatus();
  }

 private:
  // Queues up to population_ new unvisited configs.
  void Breed() {
    const int pool = std::min<int>(population_, measured_.size());
    bool can_breed = pool >= 2;
    std::vector<double> weights;
    for (int i = 0; i < pool; ++i) weights.push_back(measured_[i].fitness);
    if (std::all_of(weights.begin(), weights.end(),
                    [](double w) { return w <= 0; })) {
      std::fill(weights.begin(), weights.end(), 1.0);
    }
    for (int child = 0; child < population_; ++child) {
      std::optional<int64_t> index;
      if (can_breed) {
        std::discrete_distribution<int> pick(weights.begin(), weights.end());
        for (int attempt = 0; attempt < kBreedAttempts && !index; ++attempt) {
          int a = child < elites_ && child < pool ? child : pick(rng_);
          int b = pick(rng_);
          index = Child(measured_[a].genes, measured_[b].genes);
        }
      }
      if (!index) index = RandomUnvisited();
      if (!index) return;
      pending_.push_back(*index);
      bred_.insert(*index);
    }
  }

  // A crossed-over and mutated child, if it is new.
  std::optional<int64_t> Child(const std::vector<int64_t>& a,
                               const std::vector<int64_t>& b) {
    const tuning::KnobList& knobs = task().space.knobs();
    std::bernoulli_distribution from_a(0.5);
    std::bernoulli_distribution mutate(mutation_);
    std::vector<int64_t> genes(knobs.size());
    for (size_t k = 0; k < knobs.size(); ++k) {
      genes[k] = from_a(rng_) ? a[k] : b[k];
      if (mutate(rng_)) {
        std::uniform_int_distribution<int64_t> any(0, knobs[k].size() - 1);
        genes[k] = any(rng_);
      }
    }
    absl::StatusOr<tuning::Config> config = task().space.FromChoices(std::move(genes));
    CHECK(config.ok()) << config.status();  // genes are in range by construction
    int64_t index = config->index();
    if (IsVisited(index) || bred_.contains(index)) return std::nullopt;
    return index;
  }

  std::optional<int64_t> RandomUnvisited() {
    while (std::optional<int64_t> index = fallback_.Next(rng_)) {
      if (!IsVisited(*index) && !bred_.contains(*index)) return index;
    }
    return std::nullopt;
  }

  std::mt19937_64 rng_;
  LazyPermutation fallback_;
  const int population_;
  const int elites_;
  const double mutation_;
  std::vector<Individual> measured_;  // best first
  std::deque<int64_t> pending_;  // bred, not yet proposed
  // Every config ever queued. Proposed ones are not visited until NextBatch
  // returns, so "visited or queued before" is what makes a child new.
  absl::flat_hash_set<int64_t> bred_;
};

absl::StatusOr<std::unique_ptr<Tuner>> MakeGaTuner(const tuning::TuningTask& task,
                                                   const TunerOptions& options) {
  absl::Status known =
      options.CheckKnownParams("ga", {"elite_num", "mutation_prob"});
  if (!known.ok()) return known;
  int population =
      options.population_size > 0 ? options.population_size : kDefaultPopulation;
  absl::StatusOr<int64_t> elites = options.IntParam("elite_num", kDefaultElites);
  if (!elites.ok()) return elites.status();
  absl::StatusOr<double> mutation =
      options.DoubleParam("mutation_prob", kDefaultMutation);
  if (!mutation.ok()) return mutation.status();
  if (*elites < 0 || *elites > population) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ga: elite_num must be in [0, population_size=", population, "], got ",
        *elites));
  }
  if (!(*mutation >= 0 && *mutation <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ga: mutation_prob must be in [0, 1], got ", *mutation));
  }
  return std::unique_ptr<Tuner>(new GaTuner(task, options.seed, population,
                                            static_cast<int>(*elites),
                                            *mutation));
}

KILN_REGISTER(TunerRegistry(), "ga",
              "genetic algorithm: fitness-proportional parents, uniform "
              "crossover over knobs, per-knob mutation",
              &MakeGaTuner);

}  // namespace
}  // namespace kiln::tuners

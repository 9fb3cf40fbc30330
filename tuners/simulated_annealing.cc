#include "tuners/simulated_annealing.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace kiln::tuners {
namespace {

// The k best (score, index) pairs seen, best first, each index once.
class TopK {
 public:
  explicit TopK(int k) : k_(k) {}

  // True when the list changed.
  bool Offer(float score, int64_t index) {
    if (k_ <= 0 || members_.contains(index)) return false;
    auto better = [](const std::pair<float, int64_t>& a,
                     const std::pair<float, int64_t>& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    };
    std::pair<float, int64_t> entry(score, index);
    if (static_cast<int>(items_.size()) == k_) {
      if (!better(entry, items_.back())) return false;
      members_.erase(items_.back().second);
      items_.pop_back();
    }
    items_.insert(std::upper_bound(items_.begin(), items_.end(), entry, better),
                  entry);
    members_.insert(index);
    return true;
  }

  const std::vector<std::pair<float, int64_t>>& items() const { return items_; }

 private:
  int k_;
  std::vector<std::pair<float, int64_t>> items_;
  absl::flat_hash_set<int64_t> members_;
};

}  // namespace

tuning::Config SimulatedAnnealing::Mutate(const tuning::Config& config,
                                          std::mt19937_64& rng) const {
  const tuning::KnobList& knobs = space_.knobs();
  std::vector<size_t> movable;
  for (size_t k = 0; k < knobs.size(); ++k) {
    if (knobs[k].size() > 1) movable.push_back(k);
  }
  if (movable.empty()) return config;
  std::uniform_int_distribution<size_t> pick_knob(0, movable.size() - 1);
  size_t k = movable[pick_knob(rng)];
  // A different candidate: draw from size-1 values and skip the current.
  std::uniform_int_distribution<int64_t> pick(0, knobs[k].size() - 2);
  int64_t candidate = pick(rng);
  if (candidate >= config.choices()[k]) ++candidate;
  std::vector<int64_t> choices = config.choices();
  choices[k] = candidate;
  absl::StatusOr<tuning::Config> mutated = space_.FromChoices(std::move(choices));
  CHECK(mutated.ok()) << mutated.status();
  return *std::move(mutated);
}

absl::StatusOr<std::vector<tuning::Config>> SimulatedAnnealing::FindMaximums(
    int k, const std::vector<int64_t>& starts, const BatchScorer& score,
    const std::function<bool(int64_t)>& exclude, std::mt19937_64& rng) {
  const int chains = std::max(1, options_.num_chains);
  std::vector<tuning::Config> points;
  const std::vector<int64_t>* sources[] = {&starts, &last_points_};
  for (const std::vector<int64_t>* source : sources) {
    for (int64_t index : *source) {
      if (static_cast<int>(points.size()) == chains) break;
      absl::StatusOr<tuning::Config> config = space_.Get(index);
      if (config.ok()) points.push_back(*std::move(config));
    }
  }
  std::uniform_int_distribution<int64_t> any(0, space_.size() - 1);
  while (static_cast<int>(points.size()) < chains) {
    points.push_back(space_.At(any(rng)));
  }

  absl::StatusOr<std::vector<float>> scores = score(points);
  if (!scores.ok()) return scores.status();
  if (scores->size() != points.size()) {
    return absl::InternalError(absl::StrCat("scorer returned ", scores->size(),
                                            " scores for ", points.size(),
                                            " configs"));
  }
  TopK top(k);
  for (size_t i = 0; i < points.size(); ++i) {
    if (!exclude(points[i].index())) top.Offer((*scores)[i], points[i].index());
  }

  std::uniform_real_distribution<double> coin(0.0, 1.0);
  int unchanged = 0;
  for (int step = 0; step < options_.max_steps; ++step) {
    if (unchanged >= options_.patience) break;
    double temperature = options_.start_temperature *
                         (1.0 - static_cast<double>(step) / options_.max_steps);
    auto [lo, hi] = std::minmax_element(scores->begin(), scores->end());
    double spread = std::max(static_cast<double>(*hi - *lo), 1e-9);

    std::vector<tuning::Config> proposals;
    proposals.reserve(points.size());
    for (const tuning::Config& point : points) proposals.push_back(Mutate(point, rng));
    absl::StatusOr<std::vector<float>> proposal_scores = score(proposals);
    if (!proposal_scores.ok()) return proposal_scores.status();
    if (proposal_scores->size() != proposals.size()) {
      return absl::InternalError("scorer returned a wrong number of scores");
    }

    bool changed = false;
    for (size_t i = 0; i < points.size(); ++i) {
      float new_score = (*proposal_scores)[i];
      double delta = (new_score - (*scores)[i]) / spread;
      bool accept = delta >= 0 ||
                    (temperature > 0 && coin(rng) < std::exp(delta / temperature));
      if (!exclude(proposals[i].index())) {
        changed |= top.Offer(new_score, proposals[i].index());
      }
      if (accept) {
        points[i] = std::move(proposals[i]);
        (*scores)[i] = new_score;
      }
    }
    unchanged = changed ? 0 : unchanged + 1;
  }

  last_points_.clear();
  for (const tuning::Config& point : points) last_points_.push_back(point.index());
  std::vector<tuning::Config> best;
  for (const auto& [s, index] : top.items()) best.push_back(space_.At(index));
  return best;
}

}  // namespace kiln::tuners

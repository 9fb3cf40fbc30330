// Model-guided search of a config space by parallel simulated annealing.
//
// A space of millions of configs cannot be scored exhaustively even by a fast
// cost model, so a set of chains walks it instead: each step every chain
// proposes changing one random knob to a random other candidate, and accepts
// the move if it scores higher, or with probability exp(delta / T) if lower.
// T falls linearly from `start_temperature` to 0, relative to the spread of
// the chains' current scores (so it needs no knowledge of the score scale,
// which differs between regression and rank models). The best configs seen
// anywhere along the chains, excluding ones the caller rules out (already
// measured), are the result. Chains resume from where the previous search
// ended, so later searches refine earlier ones.
#ifndef KILN_TUNERS_SIMULATED_ANNEALING_H_
#define KILN_TUNERS_SIMULATED_ANNEALING_H_

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/tuning/config_space.h"

namespace kiln::tuners {

struct AnnealingOptions {
  int num_chains = 128;
  int max_steps = 100;
  // Stop when the best-k list has not changed for this many steps.
  int patience = 25;
  double start_temperature = 1.0;
};

// Scores configs in one batch (one model call); higher is better.
using BatchScorer =
    std::function<absl::StatusOr<std::vector<float>>(const std::vector<tuning::Config>&)>;

class SimulatedAnnealing {
 public:
  SimulatedAnnealing(const tuning::ConfigSpace& space, const AnnealingOptions& options)
      : space_(space), options_(options) {}

  // The (up to) k best-scoring configs for which `exclude` is false, best
  // first (ties by index). Chains start at `starts`, then at the previous
  // search's end points, then at random configs. Scorer errors are returned.
  absl::StatusOr<std::vector<tuning::Config>> FindMaximums(
      int k, const std::vector<int64_t>& starts, const BatchScorer& score,
      const std::function<bool(int64_t)>& exclude, std::mt19937_64& rng);

 private:
  tuning::Config Mutate(const tuning::Config& config, std::mt19937_64& rng) const;

  const tuning::ConfigSpace& space_;
  AnnealingOptions options_;
  std::vector<int64_t> last_points_;
};

}  // namespace kiln::tuners

#endif  // KILN_TUNERS_SIMULATED_ANNEALING_H_

// "random": uniform sampling of the space without replacement.
#include <memory>
#include <random>
#include <vector>

#include "tuners/lazy_permutation.h"
#include "tuners/tuner.h"

namespace kiln::tuners {
namespace {

class RandomTuner : public Tuner {
 public:
  RandomTuner(const tuning::TuningTask& task, uint64_t seed)
      : Tuner(task), rng_(seed), order_(task.space.size()) {}

 protected:
  absl::StatusOr<std::vector<tuning::Config>> Propose(int n) override {
    std::vector<tuning::Config> batch;
    while (static_cast<int>(batch.size()) < n) {
      std::optional<int64_t> index = order_.Next(rng_);
      if (!index.has_value()) break;
      if (IsVisited(*index)) continue;  // measured in a resumed run
      batch.push_back(task().space.At(*index));
    }
    return batch;
  }

 private:
  std::mt19937_64 rng_;
  LazyPermutation order_;
};

absl::StatusOr<std::unique_ptr<Tuner>> MakeRandomTuner(const tuning::TuningTask& task,
                                                       const TunerOptions& options) {
  absl::Status known = options.CheckKnownParams("random", {});
  if (!known.ok()) return known;
  return std::unique_ptr<Tuner>(new RandomTuner(task, options.seed));
}

KILN_REGISTER(TunerRegistry(), "random",
              "uniform random sampling without replacement", &MakeRandomTuner);

}  // namespace
}  // namespace kiln::tuners

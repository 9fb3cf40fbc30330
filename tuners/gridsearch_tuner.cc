// "gridsearch": every config in index order (the first knob varies fastest).
#include <memory>
#include <vector>

#include "tuners/tuner.h"

namespace kiln::tuners {
namespace {

class GridSearchTuner : public Tuner {
 public:
  explicit GridSearchTuner(const tuning::TuningTask& task) : Tuner(task) {}

 protected:
  absl::StatusOr<std::vector<tuning::Config>> Propose(int n) override {
    std::vector<tuning::Config> batch;
    const int64_t size = task().space.size();
    while (static_cast<int>(batch.size()) < n && next_ < size) {
      int64_t index = next_++;
      if (!IsVisited(index)) batch.push_back(task().space.At(index));
    }
    return batch;
  }

 private:
  int64_t next_ = 0;
};

absl::StatusOr<std::unique_ptr<Tuner>> MakeGridSearchTuner(const tuning::TuningTask& task,
                                                           const TunerOptions& options) {
  absl::Status known = options.CheckKnownParams("gridsearch", {});
  if (!known.ok()) return known;
  return std::unique_ptr<Tuner>(new GridSearchTuner(task));
}

KILN_REGISTER(TunerRegistry(), "gridsearch",
              "every config in index order (first knob fastest)",
              &MakeGridSearchTuner);

}  // namespace
}  // namespace kiln::tuners

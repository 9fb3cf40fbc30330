// "coordinate_descent": an example tuner plugin that lives outside tuners/.
//
// It keeps a current best config and sweeps one knob at a time: every other
// candidate of that knob, all other knobs held. A better result moves the
// center there; when a whole round over the knobs finds nothing new, it
// restarts from a random unmeasured config. Its parameter `radius` (kiln
// tune --tuner_param=radius=N) limits a sweep to the N choices on either
// side of the center's; 0, the default, sweeps the whole knob. Linking this
// library (or loading it with kiln --plugin) is all it takes for
// CreateTuner("coordinate_descent", ...) to find it.
#include <cstdlib>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "tuners/lazy_permutation.h"
#include "tuners/tuner.h"

namespace kiln::examples {
namespace {

using tuners::MeasureInput;
using tuners::MeasureResult;
using tuners::Tuner;
using tuners::TunerOptions;
using tuning::Config;
using tuning::TuningTask;

class CoordinateDescentTuner : public Tuner {
 public:
  CoordinateDescentTuner(const TuningTask& task, uint64_t seed, int64_t radius)
      : Tuner(task), rng_(seed), radius_(radius), restarts_(task.space.size()) {}

 protected:
  absl::StatusOr<std::vector<Config>> Propose(int n) override {
    std::vector<Config> batch;
    int empty_sweeps = 0;
    const int num_knobs = static_cast<int>(task().space.knobs().size());
    while (static_cast<int>(batch.size()) < n) {
      if (!queue_.empty()) {
        int64_t index = queue_.front();
        queue_.pop_front();
        if (!IsVisited(index)) batch.push_back(task().space.At(index));
        continue;
      }
      if (center_ && empty_sweeps < num_knobs) {
        empty_sweeps += QueueSweep() ? 0 : 1;
        continue;
      }
      // No center yet, or a round over every knob found nothing new.
      std::optional<int64_t> start = RandomUnqueued();
      if (!start) break;
      batch.push_back(task().space.At(*start));
      queued_.insert(*start);
      empty_sweeps = 0;
    }
    return batch;
  }

  absl::Status Observe(const std::vector<MeasureInput>& inputs,
                       const std::vector<MeasureResult>& results) override {
    for (size_t i = 0; i < inputs.size(); ++i) {
      double score = Score(results[i]);
      if (!center_ || score > center_score_) {
        center_ = inputs[i].config.choices();
        center_score_ = score;
      }
    }
    return absl::OkStatus();
  }

 private:
  // Queues the unmeasured neighbors of the center along the next knob;
  // false when there were none.
  bool QueueSweep() {
    const tuning::KnobList& knobs = task().space.knobs();
    size_t k = next_knob_++ % knobs.size();
    bool any = false;
    for (int64_t c = 0; c < knobs[k].size(); ++c) {
      if (radius_ > 0 && std::abs(c - (*center_)[k]) > radius_) continue;
      std::vector<int64_t> choices = *center_;
      choices[k] = c;
      absl::StatusOr<Config> neighbor = task().space.FromChoices(choices);
      CHECK(neighbor.ok()) << neighbor.status();
      if (IsVisited(neighbor->index()) || queued_.contains(neighbor->index())) {
        continue;
      }
      queue_.push_back(neighbor->index());
      queued_.insert(neighbor->index());
      any = true;
    }
    return any;
  }

  std::optional<int64_t> RandomUnqueued() {
    while (std::optional<int64_t> index = restarts_.Next(rng_)) {
      if (!IsVisited(*index) && !queued_.contains(*index)) return index;
    }
    return std::nullopt;
  }

  std::mt19937_64 rng_;
  const int64_t radius_;
  tuners::LazyPermutation restarts_;
  std::optional<std::vector<int64_t>> center_;
  double center_score_ = 0;
  size_t next_knob_ = 0;
  std::deque<int64_t> queue_;
  // Everything ever queued: a proposed config is not visited until
  // NextBatch returns, so this is what keeps a batch free of repeats.
  absl::flat_hash_set<int64_t> queued_;
};

absl::StatusOr<std::unique_ptr<Tuner>> MakeCoordinateDescentTuner(
    const TuningTask& task, const TunerOptions& options) {
  // Reject unknown parameters, so that a typo is an error, not a no-op.
  absl::Status known = options.CheckKnownParams("coordinate_descent", {"radius"});
  if (!known.ok()) return known;
  absl::StatusOr<int64_t> radius = options.IntParam("radius", 0);
  if (!radius.ok()) return radius.status();
  if (*radius < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("coordinate_descent: radius must be 0 (whole knob) or positive, got ",
                     *radius));
  }
  return std::unique_ptr<Tuner>(new CoordinateDescentTuner(task, options.seed, *radius));
}

KILN_REGISTER(tuners::TunerRegistry(), "coordinate_descent",
              "sweeps one knob at a time around the best config (example)",
              &MakeCoordinateDescentTuner);

}  // namespace
}  // namespace kiln::examples

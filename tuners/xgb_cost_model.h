// A gradient-boosted-tree cost model on libxgboost's C API.
//
// It learns, from configs measured so far, to score unmeasured ones; only
// the order of scores matters to the search. Three losses, as AutoTVM's
// XGBoostCostModel offers:
//   kReg        reg:squarederror on throughput normalized to the best of its
//               workload (labels in [0, 1]);
//   kRank       rank:pairwise on the same labels, one query group per
//               workload, so records of workloads with other speeds can be
//               mixed without rescaling;
//   kRankBinary rank:pairwise on binary labels: 1 for "good" configs, else
//               0. kiln calls a config good when it reaches
//               `binary_threshold` of its workload's best. Coarser, but
//               indifferent to noise among the good ones.
// Every C API return code is checked; a failure becomes a Status carrying
// XGBGetLastError(), never a crash.
#ifndef KILN_TUNERS_XGB_COST_MODEL_H_
#define KILN_TUNERS_XGB_COST_MODEL_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kiln::tuners {

enum class XgbLoss { kReg, kRank, kRankBinary };

// "reg", "rank", "rank-binary".
absl::string_view XgbLossName(XgbLoss loss);

struct XgbModelOptions {
  XgbLoss loss = XgbLoss::kReg;
  int num_boost_round = 80;
  int max_depth = 3;
  double eta = 0.3;
  double binary_threshold = 0.8;  // kRankBinary only
  uint64_t seed = 0;
  // One thread keeps training bit-reproducible and leaves the other core to
  // the measurements.
  int num_threads = 1;
};

// Rows are row-major floats; consecutive rows of one workload form a group.
struct TrainingSet {
  int num_features = 0;
  std::vector<float> rows;
  // Throughput of each row divided by its group's best (0 for failures).
  std::vector<float> normalized_throughput;
  std::vector<unsigned> group_sizes;  // sums to the number of rows

  void AddGroup(const std::vector<std::vector<float>>& features,
                const std::vector<double>& throughput);
  int num_rows() const {
    return static_cast<int>(normalized_throughput.size());
  }
};

class XgbCostModel {
 public:
  explicit XgbCostModel(const XgbModelOptions& options) : options_(options) {}
  ~XgbCostModel();
  XgbCostModel(const XgbCostModel&) = delete;
  XgbCostModel& operator=(const XgbCostModel&) = delete;

  // Trains a fresh model on `data` (replacing the previous one).
  absl::Status Fit(const TrainingSet& data);
  // Scores rows (row-major, num_features each), higher is better.
  // FailedPrecondition before the first successful Fit.
  absl::StatusOr<std::vector<float>> Predict(const std::vector<float>& rows,
                                             int num_features);

  bool trained() const { return booster_ != nullptr; }

 private:
  XgbModelOptions options_;
  void* booster_ = nullptr;  // BoosterHandle
  int num_features_ = 0;
};

}  // namespace kiln::tuners

#endif  // KILN_TUNERS_XGB_COST_MODEL_H_

#include "tuners/xgb_cost_model.h"

#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "xgboost/c_api.h"

namespace kiln::tuners {
namespace {

absl::Status Check(int return_code, absl::string_view what) {
  if (return_code == 0) return absl::OkStatus();
  const char* message = XGBGetLastError();
  return absl::InternalError(absl::StrCat("xgboost: ", what, " failed: ",
                                          message ? message : "(no message)"));
}

// Freeing happens where no Status can be returned; a failure there leaks at
// worst, so it is logged rather than propagated.
void FreeBooster(BoosterHandle booster) {
  if (booster != nullptr && XGBoosterFree(booster) != 0) {
    LOG(WARNING) << "xgboost: freeing a booster failed: " << XGBGetLastError();
  }
}

// Frees a DMatrix whatever path the function takes.
class DMatrix {
 public:
  DMatrix() = default;
  ~DMatrix() {
    if (handle_ != nullptr && XGDMatrixFree(handle_) != 0) {
      LOG(WARNING) << "xgboost: freeing a matrix failed: " << XGBGetLastError();
    }
  }
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;

  absl::Status Create(const std::vector<float>& rows, int num_features) {
    bst_ulong num_rows = rows.size() / num_features;
    return Check(XGDMatrixCreateFromMat_omp(
                     rows.data(), num_rows, static_cast<bst_ulong>(num_features),
                     std::numeric_limits<float>::quiet_NaN(), &handle_,
                     /*nthread=*/1),
                 "creating a feature matrix");
  }
  DMatrixHandle get() const { return handle_; }

 private:
  DMatrixHandle handle_ = nullptr;
};

}  // namespace

absl::string_view XgbLossName(XgbLoss loss) {
  switch (loss) {
    case XgbLoss::kReg: return "reg";
    case XgbLoss::kRank: return "rank";
    case XgbLoss::kRankBinary: return "rank-binary";
  }
  return "?";
}

void TrainingSet::AddGroup(const std::vector<std::vector<float>>& features,
                           const std::vector<double>& throughput) {
  double best = 0;
  for (double t : throughput) best = std::max(best, t);
  for (size_t i = 0; i < features.size(); ++i) {
    rows.insert(rows.end(), features[i].begin(), features[i].end());
    normalized_throughput.push_back(
        best > 0 ? static_cast<float>(throughput[i] / best) : 0.0f);
  }
  group_sizes.push_back(static_cast<unsigned>(features.size()));
}

XgbCostModel::~XgbCostModel() { FreeBooster(booster_); }

absl::Status XgbCostModel::Fit(const TrainingSet& data) {
  if (data.num_rows() == 0 || data.num_features <= 0) {
    return absl::FailedPreconditionError(
        "cannot fit the cost model on an empty training set");
  }
  if (data.rows.size() !=
      static_cast<size_t>(data.num_rows()) * data.num_features) {
    return absl::InvalidArgumentError(absl::StrCat(
        "training set has ", data.rows.size(), " values for ", data.num_rows(),
        " rows of ", data.num_features, " features"));
  }
  std::vector<float> labels = data.normalized_throughput;
  if (options_.loss == XgbLoss::kRankBinary) {
    for (float& label : labels) {
      label = label >= options_.binary_threshold ? 1.0f : 0.0f;
    }
  }
  DMatrix train;
  absl::Status status = train.Create(data.rows, data.num_features);
  if (!status.ok()) return status;
  status = Check(XGDMatrixSetFloatInfo(train.get(), "label", labels.data(),
                                       labels.size()),
                 "setting labels");
  if (!status.ok()) return status;
  if (options_.loss != XgbLoss::kReg) {
    status = Check(XGDMatrixSetUIntInfo(train.get(), "group",
                                        data.group_sizes.data(),
                                        data.group_sizes.size()),
                   "setting query groups");
    if (!status.ok()) return status;
  }

  BoosterHandle booster = nullptr;
  DMatrixHandle matrices[] = {train.get()};
  status = Check(XGBoosterCreate(matrices, 1, &booster), "creating a booster");
  if (!status.ok()) return status;
  const std::pair<const char*, std::string> params[] = {
      {"objective", options_.loss == XgbLoss::kReg ? "reg:squarederror"
                                                   : "rank:pairwise"},
      {"max_depth", absl::StrCat(options_.max_depth)},
      {"eta", absl::StrCat(options_.eta)},
      {"gamma", "0.0001"},
      {"min_child_weight", "1"},
      {"subsample", "1"},
      {"lambda", "1"},
      {"alpha", "0"},
      {"tree_method", "exact"},
      {"nthread", absl::StrCat(options_.num_threads)},
      // xgboost takes a 32-bit seed.
      {"seed", absl::StrCat(options_.seed % (uint64_t{1} << 31))},
      {"verbosity", "0"},
  };
  for (const auto& [name, value] : params) {
    status = Check(XGBoosterSetParam(booster, name, value.c_str()),
                   absl::StrCat("setting ", name, "=", value));
    if (!status.ok()) break;
  }
  for (int round = 0; status.ok() && round < options_.num_boost_round;
       ++round) {
    status = Check(XGBoosterUpdateOneIter(booster, round, train.get()),
                   absl::StrCat("boosting round ", round));
  }
  if (!status.ok()) {
    FreeBooster(booster);
    return status;
  }
  FreeBooster(booster_);
  booster_ = booster;
  num_features_ = data.num_features;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<float>> XgbCostModel::Predict(
    const std::vector<float>& rows, int num_features) {
  if (booster_ == nullptr) {
    return absl::FailedPreconditionError("the cost model is not trained yet");
  }
  if (num_features != num_features_ || rows.size() % num_features != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "predicting on ", num_features, " features (", rows.size(),
        " values) with a model trained on ", num_features_));
  }
  if (rows.empty()) return std::vector<float>();
  DMatrix matrix;
  absl::Status status = matrix.Create(rows, num_features);
  if (!status.ok()) return status;
  bst_ulong length = 0;
  const float* scores = nullptr;
  status = Check(XGBoosterPredict(booster_, matrix.get(), /*option_mask=*/0,
                                  /*ntree_limit=*/0, /*training=*/0, &length,
                                  &scores),
                 "predicting");
  if (!status.ok()) return status;
  if (length != rows.size() / num_features) {
    return absl::InternalError(absl::StrCat(
        "xgboost returned ", length, " predictions for ",
        rows.size() / num_features, " rows"));
  }
  // `scores` belongs to the booster and dies with its next call: copy.
  return std::vector<float>(scores, scores + length);
}

}  // namespace kiln::tuners

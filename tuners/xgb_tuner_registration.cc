// Registers the twelve xgb tuner names (see xgb_tuner.h for the scheme).
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "tuners/xgb_tuner.h"

namespace kiln::tuners {
namespace {

bool RegisterXgbFamily() {
  for (XgbLoss loss : {XgbLoss::kReg, XgbLoss::kRank, XgbLoss::kRankBinary}) {
    for (std::optional<FeatureType> suffix :
         {std::optional<FeatureType>(), std::optional(FeatureType::kKnob),
          std::optional(FeatureType::kItervar),
          std::optional(FeatureType::kCurve)}) {
      FeatureType feature = suffix.value_or(FeatureType::kItervar);
      std::string name = "xgb";
      if (loss != XgbLoss::kReg) {
        absl::StrAppend(&name, "_",
                        absl::StrReplaceAll(XgbLossName(loss), {{"-", "_"}}));
      }
      if (suffix) absl::StrAppend(&name, "_", FeatureTypeName(*suffix));
      std::string description =
          absl::StrCat("xgboost cost model (", XgbLossName(loss), " loss, ",
                       FeatureTypeName(feature),
                       " features) guiding simulated annealing");
      // A failed registration is kept by the registry and reported by its
      // status() and every Find(); there is no caller to return it to here.
      TunerRegistry()
          .Register(name, description,
                    [loss, feature](const tuning::TuningTask& task, const TunerOptions& options) {
                      return MakeXgbTuner(task, options, loss, feature);
                    })
          .IgnoreError();
    }
  }
  return true;
}

[[maybe_unused]] const bool registered = RegisterXgbFamily();

}  // namespace
}  // namespace kiln::tuners

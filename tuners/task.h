// What is being tuned: one operator workload on one target.
#ifndef KILN_TUNERS_TASK_H_
#define KILN_TUNERS_TASK_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tuners/config_space.h"
#include "tuners/features.h"
#include "tuners/json.h"

namespace kiln::tuners {

// Loop features of `config` for the cost model, from the operator that owns
// the task (which can lower the config and inspect the real loop nest).
// Asked for kItervar and kCurve only; kKnob never needs the operator.
using FeatureFunction = std::function<absl::StatusOr<std::vector<float>>(
    const Config&, FeatureType)>;

struct TuningTask {
  std::string name;    // the template, e.g. "conv2d_NCHWc.x86"
  // The workload: shapes, strides, dtypes, ... as a list.
  Json args = Json(Json::Array{});
  std::string target;  // e.g. "llvm -mcpu=skylake-avx512"
  ConfigSpace space;
  double flop = 0;     // per run; 0 when unknown (then scores are 1/seconds)
  FeatureFunction features;  // optional; see ExtractFeatures

  // Identifies the workload in records: target, name and args together.
  std::string WorkloadKey() const;
  // InvalidArgument unless name is set and args is a list (what records
  // require to read back).
  absl::Status Validate() const;
};

std::string WorkloadKey(absl::string_view target, absl::string_view name,
                        const Json& args);

// The feature vector of `config` for the cost model. kKnob comes from the
// knob values; kItervar/kCurve come from task.features when it is set, and
// otherwise from the knob-derived approximations in features.h.
absl::StatusOr<std::vector<float>> ExtractFeatures(const TuningTask& task,
                                                   const Config& config,
                                                   FeatureType type);

}  // namespace kiln::tuners

#endif  // KILN_TUNERS_TASK_H_

#include "tuners/tuner.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "glog/logging.h"

namespace kiln::tuners {

absl::StatusOr<int64_t> TunerOptions::IntParam(absl::string_view name,
                                               int64_t fallback) const {
  auto it = params.find(std::string(name));
  if (it == params.end()) return fallback;
  int64_t value;
  if (!absl::SimpleAtoi(it->second, &value)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tuner parameter ", name, "='", it->second, "' is not an integer"));
  }
  return value;
}

absl::StatusOr<double> TunerOptions::DoubleParam(absl::string_view name,
                                                 double fallback) const {
  auto it = params.find(std::string(name));
  if (it == params.end()) return fallback;
  double value;
  if (!absl::SimpleAtod(it->second, &value)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tuner parameter ", name, "='", it->second, "' is not a number"));
  }
  return value;
}

absl::Status TunerOptions::CheckKnownParams(
    absl::string_view tuner,
    std::initializer_list<absl::string_view> known) const {
  for (const auto& [name, value] : params) {
    bool found = false;
    for (absl::string_view k : known) found = found || k == name;
    if (!found) {
      return absl::InvalidArgumentError(absl::StrCat(
          "tuner '", tuner, "' has no parameter '", name, "'; it takes: ",
          known.size() == 0 ? std::string("none") : absl::StrJoin(known, ", ")));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<tuning::Config>> Tuner::NextBatch(int n) {
  if (n < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("NextBatch size must be >= 0, got ", n));
  }
  if (n == 0 || !HasNext()) return std::vector<tuning::Config>();
  absl::StatusOr<std::vector<tuning::Config>> batch = Propose(n);
  if (!batch.ok()) return batch;
  CHECK_LE(batch->size(), static_cast<size_t>(n)) << "tuner proposed too many";
  for (const tuning::Config& config : *batch) {
    CHECK(visited_.insert(config.index()).second)
        << "tuner proposed config " << config.index() << " twice";
  }
  return batch;
}

absl::Status Tuner::Update(const std::vector<MeasureInput>& inputs,
                           const std::vector<MeasureResult>& results) {
  if (inputs.size() != results.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Update got ", inputs.size(), " inputs but ",
                     results.size(), " results"));
  }
  for (const MeasureInput& input : inputs) {
    if (input.task != &task_ && input.task->WorkloadKey() != task_.WorkloadKey()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Update got a result of task ", input.task->name,
          " for a tuner of task ", task_.name));
    }
    visited_.insert(input.config.index());
  }
  return Observe(inputs, results);
}

Registry<TunerFactory>& TunerRegistry() {
  static auto* registry = new Registry<TunerFactory>("tuner");
  return *registry;
}

absl::StatusOr<std::unique_ptr<Tuner>> CreateTuner(absl::string_view name,
                                                   const tuning::TuningTask& task,
                                                   const TunerOptions& options) {
  absl::StatusOr<TunerFactory> factory = TunerRegistry().Find(name);
  if (!factory.ok()) return factory.status();
  return (*factory)(task, options);
}

absl::Status TuneOptions::Validate() const {
  if (n_trial < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("n_trial must be >= 0, got ", n_trial));
  }
  if (early_stopping < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "early_stopping must be >= 0 (0: off), got ", early_stopping));
  }
  if (batch_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch_size must be >= 1, got ", batch_size));
  }
  return absl::OkStatus();
}

}  // namespace kiln::tuners

#include "ir/tuning/task.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace kiln::tuning {

std::string WorkloadKey(absl::string_view target, absl::string_view name, const Json& args) {
  // '\n' cannot occur in the JSON dump, and targets and template names are
  // single-line, so the three parts cannot run into each other.
  return absl::StrCat(target, "\n", name, "\n", args.Dump());
}

std::string TuningTask::WorkloadKey() const { return tuning::WorkloadKey(target, name, args); }

absl::Status TuningTask::Validate() const {
  if (name.empty()) {
    return absl::InvalidArgumentError("a tuning task needs a name");
  }
  if (!args.is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the args of task ", name, " must be a JSON list, got ", JsonTypeName(args.type())));
  }
  return absl::OkStatus();
}

}  // namespace kiln::tuning

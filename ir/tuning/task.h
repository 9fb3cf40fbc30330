// What is being tuned: one operator workload on one target.
#ifndef KILN_IR_TUNING_TASK_H_
#define KILN_IR_TUNING_TASK_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ir/tuning/config_space.h"
#include "ir/tuning/json.h"

namespace kiln::tuning {

struct TuningTask {
  std::string name;  // the template, e.g. "conv2d_NCHWc.x86"
  // The workload: shapes, strides, dtypes, ... as a list.
  Json args = Json(Json::Array{});
  std::string target;  // e.g. "llvm -mcpu=skylake-avx512"
  ConfigSpace space;
  double flop = 0;  // per run; 0 when unknown (then scores are 1/seconds)

  // Identifies the workload in records: target, name and args together.
  std::string WorkloadKey() const;
  // InvalidArgument unless name is set and args is a list (what records
  // require to read back).
  absl::Status Validate() const;
};

std::string WorkloadKey(absl::string_view target, absl::string_view name, const Json& args);

}  // namespace kiln::tuning

#endif  // KILN_IR_TUNING_TASK_H_

// A measure input that can leave the process: the task's target, template
// name and args and the config, as records store them, and the input
// rebuilt from them through the template registry, in this process or
// another (a remote runner, a worker).
#ifndef KILN_TUNERS_MEASURE_INPUT_H_
#define KILN_TUNERS_MEASURE_INPUT_H_

#include <memory>

#include "absl/status/statusor.h"
#include "ir/tuning/config_space.h"
#include "ir/tuning/json.h"
#include "ir/tuning/task.h"
#include "tuners/measure.h"

namespace kiln::tuners {

// {"target": "...", "task": "conv2d_NCHWc.x86", "args": [...], "config": {...}}
tuning::Json MeasureInputToJson(const MeasureInput& input);

// A MeasureInput together with the task it points to.
struct RebuiltMeasureInput {
  std::shared_ptr<const tuning::TuningTask> task;
  tuning::Config config;
  MeasureInput input() const { return {task.get(), config}; }
};

// InvalidArgument for a malformed description, NotFound for an unknown
// template, and the template's error for a workload or config it rejects.
absl::StatusOr<RebuiltMeasureInput> MeasureInputFromJson(const tuning::Json& json);

}  // namespace kiln::tuners

#endif  // KILN_TUNERS_MEASURE_INPUT_H_

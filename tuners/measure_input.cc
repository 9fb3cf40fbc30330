#include "tuners/measure_input.h"

#include "absl/strings/str_cat.h"
#include "ir/tuning/template_registry.h"
#include "targets/target_parser.h"

namespace kiln::tuners {

tuning::Json MeasureInputToJson(const MeasureInput& input) {
  tuning::Json json{tuning::Json::Object{}};
  json.Set("target", tuning::Json(input.task->target));
  json.Set("task", tuning::Json(input.task->name));
  json.Set("args", input.task->args);
  json.Set("config", input.config.ToJson());
  return json;
}

absl::StatusOr<RebuiltMeasureInput> MeasureInputFromJson(const tuning::Json& json) {
  auto target_name = tuning::GetString(json, "target");
  if (!target_name.ok()) return target_name.status();
  auto name = tuning::GetString(json, "task");
  if (!name.ok()) return name.status();
  auto args = tuning::GetMember(json, "args", tuning::Json::Type::kArray);
  if (!args.ok()) return args.status();
  auto config_json = tuning::GetMember(json, "config", tuning::Json::Type::kObject);
  if (!config_json.ok()) return config_json.status();
  auto target = targets::ParseTarget(*target_name);
  if (!target.ok()) return target.status();
  auto task = tuning::MakeTask(*name, **args, *target);
  if (!task.ok()) return task.status();
  // The task must be the one described, or records of the rebuilt input
  // would go to another workload.
  if (task->target != *target_name) {
    return absl::InvalidArgumentError(absl::StrCat("target \"", *target_name,
                                                   "\" reads back as \"", task->target, "\""));
  }
  auto config = task->space.FromJson(**config_json);
  if (!config.ok()) return config.status();
  return RebuiltMeasureInput{std::make_shared<const tuning::TuningTask>(*std::move(task)),
                             *std::move(config)};
}

}  // namespace kiln::tuners

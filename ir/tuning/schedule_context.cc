#include "ir/tuning/schedule_context.h"

#include "absl/strings/str_cat.h"
#include "ir/tuning/template_registry.h"

namespace kiln::tuning {

absl::StatusOr<Config> ChooseSchedule(ScheduleContext* context, absl::string_view template_name,
                                      const Json& args, const targets::Target& target) {
  auto tmpl = TemplateRegistry().Find(template_name);
  if (!tmpl.ok()) return tmpl.status();
  auto task = MakeTask(template_name, args, target);
  if (!task.ok()) return task.status();
  auto fallback = tmpl->default_config(*task, target);
  if (!fallback.ok()) return fallback.status();
  if (context == nullptr) return fallback;
  return context->Query(*task, *fallback);
}

absl::StatusOr<Config> ScheduleFromAttr(const TuningTask& task, const std::string& attr) {
  auto json = ParseJson(attr);
  if (!json.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("the schedule of a ", task.name,
                                                   " node is not JSON: ", json.status().message()));
  }
  auto config = task.space.FromJson(*json);
  if (!config.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the schedule of a ", task.name, " node is not in its space: ", config.status().message()));
  }
  return config;
}

}  // namespace kiln::tuning

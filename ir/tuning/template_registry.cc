#include "ir/tuning/template_registry.h"

#include "absl/strings/str_cat.h"

namespace kiln::tuning {

Registry<TunableTemplate>& TemplateRegistry() {
  static auto* registry = new Registry<TunableTemplate>("tunable template");
  return *registry;
}

absl::StatusOr<TuningTask> MakeTask(absl::string_view template_name, const Json& args,
                                    const targets::Target& target) {
  auto tmpl = TemplateRegistry().Find(template_name);
  if (!tmpl.ok()) return tmpl.status();
  auto task = tmpl->make_task(args, target);
  if (!task.ok()) {
    return absl::Status(task.status().code(),
                        absl::StrCat("workload ", args.Dump(), " of template ", template_name, ": ",
                                     task.status().message()));
  }
  return task;
}

std::string DescribeTask(const TuningTask& task) {
  auto tmpl = TemplateRegistry().Find(task.name);
  if (tmpl.ok() && tmpl->describe) return tmpl->describe(task);
  return absl::StrCat(task.name, " ", task.args.Dump());
}

}  // namespace kiln::tuning

// Which schedule each tunable node of a model is compiled with: AutoTVM's
// dispatch context. The graph passes that make a node tunable (layout
// conversion for convolutions, dense conversion, matmul scheduling)
// describe its workload to a template, ask the context for a config and
// store the answer on the node, where the template's lowering decodes it.
//
// Contexts: the target's defaults (DefaultSchedules, here), the best of a
// records file and the task recorder of task extraction (both in tuners/).
#ifndef KILN_IR_TUNING_SCHEDULE_CONTEXT_H_
#define KILN_IR_TUNING_SCHEDULE_CONTEXT_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ir/tuning/config_space.h"
#include "ir/tuning/json.h"
#include "ir/tuning/task.h"
#include "targets/target.h"

namespace kiln::tuning {

class ScheduleContext {
 public:
  virtual ~ScheduleContext() = default;
  // The config to compile `task` with; `fallback` is the template's default
  // for it.
  virtual Config Query(const TuningTask& task, const Config& fallback) = 0;
};

class DefaultSchedules final : public ScheduleContext {
 public:
  Config Query(const TuningTask&, const Config& fallback) override { return fallback; }
};

// The config `context` (the defaults when null) picks for the workload
// `args` of template `template_name`, built through TemplateRegistry().
absl::StatusOr<Config> ChooseSchedule(ScheduleContext* context, absl::string_view template_name,
                                      const Json& args, const targets::Target& target);

// A config as a node attribute and back: the compiler stores the chosen
// config on its node once, and the template's lowering reads it against the
// task it rebuilds from the node.
inline constexpr char kScheduleAttr[] = "schedule";
absl::StatusOr<Config> ScheduleFromAttr(const TuningTask& task, const std::string& attr);

}  // namespace kiln::tuning

#endif  // KILN_IR_TUNING_SCHEDULE_CONTEXT_H_

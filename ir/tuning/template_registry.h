// Tunable templates, registered by name as AutoTVM registers its templates.
//
// A template is what makes an operator tunable: from a workload (the task's
// args, a JSON list) it builds the task with its config space, names the
// target's analytical default in that space, and provides the harness that
// builds and feeds candidate kernels. Because everything is rebuilt from the
// task's name, args and target, a measurement can be described by a
// workload key and a config and redone in another process.
//
// A template registers itself in its own file:
//
//   KILN_REGISTER(TemplateRegistry(), kConv2dNCHWcTemplate,
//                 "conv2d in NCHW[x]c, direct or Winograd", Conv2dNCHWcTemplate());
//
// How a template's config becomes a kernel (decoding) stays with the
// template's operator, which reads the config the compiler stored on its
// graph node.
#ifndef KILN_IR_TUNING_TEMPLATE_REGISTRY_H_
#define KILN_IR_TUNING_TEMPLATE_REGISTRY_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "ir/tuning/config_space.h"
#include "ir/tuning/json.h"
#include "ir/tuning/kernel_harness.h"
#include "ir/tuning/task.h"
#include "runtime/registry.h"
#include "targets/target.h"

namespace kiln::tuning {

struct TunableTemplate {
  // The task of one workload on `target`: name, args, space and flop count.
  std::function<absl::StatusOr<TuningTask>(const Json& args, const targets::Target& target)>
      make_task;
  // The point of the task's space that the target's analytical default picks.
  std::function<absl::StatusOr<Config>(const TuningTask& task, const targets::Target& target)>
      default_config;
  // Buffers and candidate kernels for measuring the task's configs.
  std::function<absl::StatusOr<KernelHarness>(const TuningTask& task)> harness;
  // The workload in words, for tables and messages: "conv2d(n=1, ic=64, ...)".
  std::function<std::string(const TuningTask& task)> describe;
};

// The template's description of `task`, or its name and args when the
// template is unknown.
std::string DescribeTask(const TuningTask& task);

Registry<TunableTemplate>& TemplateRegistry();

// TemplateRegistry()'s make_task for `template_name`.
absl::StatusOr<TuningTask> MakeTask(absl::string_view template_name, const Json& args,
                                    const targets::Target& target);

}  // namespace kiln::tuning

#endif  // KILN_IR_TUNING_TEMPLATE_REGISTRY_H_

// One loaded artifact and any number of run states over it.
//
// The kernels (the mapped shared object) and the parameters are loaded once
// and shared; each run state (a GraphExecutor: inputs, outputs and the arena
// of intermediates) belongs to one caller at a time. Several threads may
// each run their own run state of the same model at once: kernels keep no
// state of their own, their scratch memory comes from a per-thread
// workspace pool, and the thread pool serializes launches from different
// threads.
#ifndef KILN_RUNTIME_LOADED_MODEL_H_
#define KILN_RUNTIME_LOADED_MODEL_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "runtime/execution_plan.h"
#include "runtime/graph_executor.h"
#include "runtime/module.h"

namespace kiln::runtime {

class LoadedModel {
 public:
  // LoadArtifact's checks and errors.
  static absl::StatusOr<std::shared_ptr<const LoadedModel>> Load(const std::string& path);

  // A new run state. The model must outlive it.
  absl::StatusOr<std::unique_ptr<GraphExecutor>> NewRun() const;

  // The plan as loaded (slots name the inputs and outputs).
  const ExecutionPlan& plan() const { return plan_; }
  const TensorSlot& input(int index) const { return plan_.slots[plan_.inputs[index]]; }
  const TensorSlot& output(int index) const { return plan_.slots[plan_.outputs[index]]; }
  int num_inputs() const { return static_cast<int>(plan_.inputs.size()); }
  int num_outputs() const { return static_cast<int>(plan_.outputs.size()); }
  // What the artifact says of itself, for --verbose.
  uint32_t format_version() const { return format_version_; }
  const std::string& required_features() const { return module_->required_features(); }

 private:
  LoadedModel(std::unique_ptr<Module> module, ExecutionPlan plan, uint32_t format_version)
      : module_(std::move(module)), plan_(std::move(plan)), format_version_(format_version) {}
  std::unique_ptr<Module> module_;
  ExecutionPlan plan_;
  uint32_t format_version_;
};

}  // namespace kiln::runtime

#endif  // KILN_RUNTIME_LOADED_MODEL_H_

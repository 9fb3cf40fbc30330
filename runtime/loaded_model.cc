#include "runtime/loaded_model.h"

#include "runtime/artifact.h"

namespace kiln::runtime {

absl::StatusOr<std::shared_ptr<const LoadedModel>> LoadedModel::Load(const std::string& path) {
  auto artifact = LoadArtifact(path);
  if (!artifact.ok()) return artifact.status();
  return std::shared_ptr<const LoadedModel>(
      new LoadedModel(std::move(artifact->module), std::move(artifact->plan),
                      artifact->format_version));
}

absl::StatusOr<std::unique_ptr<GraphExecutor>> LoadedModel::NewRun() const {
  // The copy shares the mapped parameters (borrowed_constants and their
  // owner); only the slot and step tables are copied.
  const Module* module = module_.get();
  return GraphExecutor::Create(plan_, [module](const std::string& name)
                                          -> absl::StatusOr<KernelFunction> {
    return module->GetFunction(name);
  });
}

}  // namespace kiln::runtime

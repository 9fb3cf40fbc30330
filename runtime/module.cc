#include "runtime/module.h"

#include <dlfcn.h>

#include "absl/strings/str_cat.h"
#include "runtime/backend_api.h"
#include "runtime/cpu_features.h"

namespace kiln::runtime {

std::string FilePathForDlopen(const std::string& path) {
  return path.find('/') == std::string::npos ? "./" + path : path;
}

absl::StatusOr<std::unique_ptr<Module>> Module::Load(const std::string& path) {
  void* handle = dlopen(FilePathForDlopen(path).c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return absl::InvalidArgumentError(absl::StrCat("cannot load kernels from '", path,
                                                   "': ", why ? why : "unknown error"));
  }
  std::unique_ptr<Module> module(new Module(handle, path));
  const char* features = static_cast<const char*>(dlsym(handle, KILN_REQUIRED_FEATURES_SYMBOL));
  if (features == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", path, "' is not a kiln kernel library (it has no ",
                     KILN_REQUIRED_FEATURES_SYMBOL, ")"));
  }
  module->required_features_ = features;
  if (auto st = CheckHostSupports(features); !st.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot run the kernels of '", path, "' here: ", st.message()));
  }
  const std::pair<const char*, void*> hooks[] = {
      {KILN_PARALLEL_LAUNCH_SYMBOL, reinterpret_cast<void*>(&KilnBackendParallelLaunch)},
      {KILN_ALLOC_WORKSPACE_SYMBOL, reinterpret_cast<void*>(&KilnBackendAllocWorkspace)},
      {KILN_FREE_WORKSPACE_SYMBOL, reinterpret_cast<void*>(&KilnBackendFreeWorkspace)},
  };
  for (const auto& [name, address] : hooks) {
    void** slot = static_cast<void**>(dlsym(handle, name));
    if (slot == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", path, "' lacks the runtime hook ", name));
    }
    *slot = address;
  }
  return module;
}

Module::~Module() { dlclose(handle_); }

absl::StatusOr<KernelFunction> Module::GetFunction(const std::string& name) const {
  void* f = dlsym(handle_, name.c_str());
  if (f == nullptr) {
    return absl::NotFoundError(absl::StrCat("no kernel '", name, "' in '", path_, "'"));
  }
  return reinterpret_cast<KernelFunction>(f);
}

}  // namespace kiln::runtime

// Loading compiled kernels from a shared object.
//
// The loader checks, before anything runs, that the host has every CPU
// feature the module was compiled for, then points the module's runtime
// hooks (see backend_api.h) at this process's runtime.
#ifndef KILN_RUNTIME_MODULE_H_
#define KILN_RUNTIME_MODULE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace kiln::runtime {

using KernelFunction = int32_t (*)(void* const* args);

// `path` as dlopen must be given it to open that file: dlopen searches the
// library paths for a name without a slash, so "model.so" becomes
// "./model.so", the file in the current directory, as on every other command
// line.
std::string FilePathForDlopen(const std::string& path);

class Module {
 public:
  // Loads the file at `path` (relative to the current directory unless
  // absolute), never a library found on the library search path.
  static absl::StatusOr<std::unique_ptr<Module>> Load(const std::string& path);
  ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  absl::StatusOr<KernelFunction> GetFunction(const std::string& name) const;
  // Comma-separated CPU features the code uses.
  const std::string& required_features() const { return required_features_; }

 private:
  Module(void* handle, std::string path) : handle_(handle), path_(std::move(path)) {}
  void* handle_;
  std::string path_;
  std::string required_features_;
};

}  // namespace kiln::runtime

#endif  // KILN_RUNTIME_MODULE_H_

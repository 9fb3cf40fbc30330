#include "driver/plugins.h"

#include <dlfcn.h>

#include <cstddef>
#include <string>

#include "absl/strings/str_cat.h"
#include "runtime/module.h"
#include "targets/target_registry.h"
#include "tuners/tuner.h"

namespace kiln::driver {
namespace {

size_t RegisteredCount() {
  return tuners::TunerRegistry().Names().size() + targets::TargetKindRegistry().Names().size() +
         targets::CpuPresetRegistry().Names().size();
}

}  // namespace

absl::Status LoadPlugin(const std::string& path) {
  const std::string file = runtime::FilePathForDlopen(path);
  // The same file given twice registers once; dlopen would hand back the
  // loaded copy, which registers nothing new.
  if (void* loaded = dlopen(file.c_str(), RTLD_NOW | RTLD_NOLOAD); loaded != nullptr) {
    dlclose(loaded);
    return absl::OkStatus();
  }
  const size_t before = RegisteredCount();
  void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return absl::InvalidArgumentError(absl::StrCat("cannot load plugin '", path,
                                                   "': ", why ? why : "unknown error"));
  }
  for (const absl::Status& st : {tuners::TunerRegistry().status(),
                                 targets::TargetKindRegistry().status(),
                                 targets::CpuPresetRegistry().status()}) {
    if (!st.ok()) {
      return absl::Status(st.code(), absl::StrCat("plugin '", path, "': ", st.message()));
    }
  }
  if (RegisteredCount() == before) {
    dlclose(handle);
    return absl::InvalidArgumentError(absl::StrCat(
        "plugin '", path,
        "' registered no tuner or target; expected a shared object built from a cc_library "
        "with alwayslink = 1 whose source calls KILN_REGISTER (see docs/ADDING_A_TUNER.md)"));
  }
  // Never closed: the registries now hold factories that live in it.
  return absl::OkStatus();
}

}  // namespace kiln::driver

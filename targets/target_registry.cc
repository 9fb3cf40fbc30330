#include "targets/target_registry.h"

namespace kiln::targets {

Registry<CpuPresetFactory>& CpuPresetRegistry() {
  static auto* registry = new Registry<CpuPresetFactory>("cpu");
  return *registry;
}

Registry<TargetKindFactory>& TargetKindRegistry() {
  static auto* registry = new Registry<TargetKindFactory>("target kind");
  return *registry;
}

}  // namespace kiln::targets

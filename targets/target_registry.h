// Target plugins: target kinds ("llvm") and CPU presets ("skylake-avx512"),
// each registered by name with KILN_REGISTER from its own library.
#ifndef KILN_TARGETS_TARGET_REGISTRY_H_
#define KILN_TARGETS_TARGET_REGISTRY_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "runtime/registry.h"
#include "targets/target.h"

namespace kiln::targets {

// What a CPU preset contributes: the LLVM CPU name, the features it implies
// (LLVM spelling, no '+'), and the numbers schedules plan with.
struct CpuPreset {
  std::string llvm_cpu;
  std::vector<std::string> features;
  int vector_registers = 16;
  int64_t l1d_bytes = 32 * 1024;
  int64_t l2_bytes = 256 * 1024;
  int64_t l3_bytes = 8 * 1024 * 1024;
  int num_cores = 1;
};
using CpuPresetFactory = std::function<absl::StatusOr<CpuPreset>()>;
Registry<CpuPresetFactory>& CpuPresetRegistry();

// A target kind turns the parsed "-key=value" options into a Target.
using TargetOptions = absl::flat_hash_map<std::string, std::string>;
using TargetKindFactory = std::function<absl::StatusOr<Target>(const TargetOptions&)>;
Registry<TargetKindFactory>& TargetKindRegistry();

}  // namespace kiln::targets

#endif  // KILN_TARGETS_TARGET_REGISTRY_H_

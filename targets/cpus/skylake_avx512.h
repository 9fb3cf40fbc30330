// The AVX-512 server preset, shared by the presets derived from it.
#ifndef KILN_TARGETS_CPUS_SKYLAKE_AVX512_H_
#define KILN_TARGETS_CPUS_SKYLAKE_AVX512_H_

#include "targets/target_registry.h"

namespace kiln::targets {

CpuPreset SkylakeAvx512Preset();

}  // namespace kiln::targets

#endif  // KILN_TARGETS_CPUS_SKYLAKE_AVX512_H_

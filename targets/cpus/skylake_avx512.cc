// Skylake-SP and later server cores: AVX-512, 16 float lanes, 32 registers.
#include "targets/cpus/skylake_avx512.h"

#include "targets/target_registry.h"

namespace kiln::targets {

CpuPreset SkylakeAvx512Preset() {
  CpuPreset p;
  p.llvm_cpu = "skylake-avx512";
  p.features = {"sse",  "sse2",    "sse3",     "ssse3",    "sse4.1",   "sse4.2",  "avx",
                "avx2", "fma",     "f16c",     "avx512f",  "avx512cd", "avx512bw",
                "avx512dq", "avx512vl"};
  p.vector_registers = 32;
  p.l1d_bytes = 32 * 1024;
  p.l2_bytes = 1024 * 1024;
  return p;
}

namespace {

absl::StatusOr<CpuPreset> SkylakeAvx512() { return SkylakeAvx512Preset(); }

absl::StatusOr<CpuPreset> Cascadelake() {
  CpuPreset p = SkylakeAvx512Preset();
  p.llvm_cpu = "cascadelake";
  p.features.push_back("avx512vnni");
  return p;
}

KILN_REGISTER(CpuPresetRegistry(), "skylake-avx512", "AVX-512 (16 float lanes)",
              &SkylakeAvx512);
KILN_REGISTER(CpuPresetRegistry(), "cascadelake", "AVX-512 + VNNI", &Cascadelake);

}  // namespace
}  // namespace kiln::targets

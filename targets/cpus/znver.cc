// AMD Zen 4 (znver4) and Zen 5 (znver5): AVX-512 on top of Skylake-SP's set,
// with Ice Lake's integer extensions and BF16; Zen 5 adds AVX-VNNI and a
// 48 KB L1d. 16 float lanes, 32 vector registers, 1 MB L2 per core.
#include "targets/cpus/skylake_avx512.h"
#include "targets/target_registry.h"

namespace kiln::targets {
namespace {

CpuPreset Znver4Preset() {
  CpuPreset p = SkylakeAvx512Preset();
  p.llvm_cpu = "znver4";
  for (const char* feature :
       {"popcnt", "lzcnt", "movbe", "bmi", "bmi2", "aes", "pclmul", "avx512vnni", "avx512ifma",
        "avx512vbmi", "avx512vbmi2", "avx512bitalg", "avx512vpopcntdq", "avx512bf16"}) {
    p.features.push_back(feature);
  }
  p.l3_bytes = 32 * 1024 * 1024;  // per CCD
  return p;
}

absl::StatusOr<CpuPreset> Znver4() { return Znver4Preset(); }

absl::StatusOr<CpuPreset> Znver5() {
  CpuPreset p = Znver4Preset();
  p.llvm_cpu = "znver5";
  p.features.push_back("avxvnni");
  p.l1d_bytes = 48 * 1024;
  return p;
}

KILN_REGISTER(CpuPresetRegistry(), "znver4", "AMD Zen 4: AVX-512 + VNNI + BF16", &Znver4);
KILN_REGISTER(CpuPresetRegistry(), "znver5", "AMD Zen 5: znver4 + AVX-VNNI, 48 KB L1d",
              &Znver5);

}  // namespace
}  // namespace kiln::targets

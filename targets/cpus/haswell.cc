// Haswell and later client cores: AVX2 + FMA, 8 float lanes.
#include "targets/target_registry.h"

namespace kiln::targets {
namespace {

absl::StatusOr<CpuPreset> Haswell() {
  CpuPreset p;
  p.llvm_cpu = "haswell";
  p.features = {"sse", "sse2", "sse3", "ssse3", "sse4.1", "sse4.2", "avx", "avx2", "fma", "f16c"};
  p.l2_bytes = 256 * 1024;
  return p;
}

KILN_REGISTER(CpuPresetRegistry(), "haswell", "AVX2 + FMA (8 float lanes)", &Haswell);

}  // namespace
}  // namespace kiln::targets

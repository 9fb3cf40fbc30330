// Any x86-64 CPU: SSE2 only, 4 float lanes.
#include "targets/target_registry.h"

namespace kiln::targets {
namespace {

absl::StatusOr<CpuPreset> X86_64() {
  CpuPreset p;
  p.llvm_cpu = "x86-64";
  p.features = {"sse", "sse2"};
  return p;
}

KILN_REGISTER(CpuPresetRegistry(), "x86-64", "generic x86-64 (SSE2)", &X86_64);

}  // namespace
}  // namespace kiln::targets

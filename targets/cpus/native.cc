// The CPU this process runs on: its features, caches and cores.
#include <string>

#include "runtime/cpu_features.h"
#include "runtime/thread_pool.h"
#include "targets/target_registry.h"

namespace kiln::targets {
namespace {

absl::StatusOr<CpuPreset> Native() {
  CpuPreset p;
  p.features = runtime::HostFeatures();
  auto has = [&](const char* f) { return runtime::HostHasFeature(f); };
  if (has("avx512f") && has("avx512bw") && has("avx512dq") && has("avx512vl")) {
    p.llvm_cpu = has("avx512vnni") ? "cascadelake" : "skylake-avx512";
    p.vector_registers = 32;
  } else if (has("avx2") && has("fma")) {
    p.llvm_cpu = "haswell";
  } else {
    p.llvm_cpu = "x86-64";
  }
  const runtime::CacheSizes caches = runtime::HostCacheSizes();
  if (caches.l1d_bytes > 0) p.l1d_bytes = caches.l1d_bytes;
  if (caches.l2_bytes > 0) p.l2_bytes = caches.l2_bytes;
  if (caches.l3_bytes > 0) p.l3_bytes = caches.l3_bytes;
  p.num_cores = runtime::DefaultNumThreads();
  return p;
}

KILN_REGISTER(CpuPresetRegistry(), "native", "the host CPU", &Native);

}  // namespace
}  // namespace kiln::targets

// What the host x86 CPU can run, named the way LLVM names target features.
//
// Generated modules record the features their code uses
// (KILN_REQUIRED_FEATURES_SYMBOL in backend_api.h); loaders check them here so
// that a module built for a bigger machine fails with a readable error instead
// of SIGILL. Targets use the same names for "-mattr" and for "-mcpu=native".
#ifndef KILN_RUNTIME_CPU_FEATURES_H_
#define KILN_RUNTIME_CPU_FEATURES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace kiln::runtime {

// Every feature name kiln can detect, in a fixed order (roughly oldest to
// newest): "sse", "sse2", ..., "avx2", "fma", ..., "avx512f", ...
const std::vector<std::string>& KnownCpuFeatures();
bool IsKnownCpuFeature(absl::string_view name);

// True if the CPU implements `name` and, for AVX and AVX-512 features, the OS
// saves the wider register state (XCR0). False for unknown names.
bool HostHasFeature(absl::string_view name);

// The host's features, in KnownCpuFeatures() order.
std::vector<std::string> HostFeatures();

// The CPU brand string ("Intel(R) Xeon(R) ..."), or "unknown x86 CPU".
std::string HostCpuName();

// OK if the host has every feature in `comma_separated_features` (LLVM
// spelling, a leading '+' and surrounding spaces tolerated; "" needs nothing).
// Otherwise FailedPrecondition naming the missing features and the host CPU,
// or InvalidArgument for a name kiln does not know.
absl::Status CheckHostSupports(absl::string_view comma_separated_features);

// Per-core data cache sizes in bytes; 0 where unknown or absent.
struct CacheSizes {
  int64_t l1d_bytes = 0;
  int64_t l2_bytes = 0;
  int64_t l3_bytes = 0;
};

// The host's caches, from sysfs, or from cpuid when sysfs says nothing.
CacheSizes HostCacheSizes();

// Cache sizes described by a Linux cache directory such as
// /sys/devices/system/cpu/cpu0/cache (index*/level, type, size).
CacheSizes CacheSizesFromSysfs(const std::string& cache_dir);

// Cache sizes from cpuid's deterministic cache parameters (leaf 4 on Intel,
// 0x8000001D on AMD).
CacheSizes CacheSizesFromCpuid();

// Physical cores this process may run on (hyper-threads of one core count
// once), at least 1.
int HostPhysicalCores();

}  // namespace kiln::runtime

#endif  // KILN_RUNTIME_CPU_FEATURES_H_

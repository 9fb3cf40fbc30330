#include "runtime/cpu_features.h"

#include <cpuid.h>
#include <sched.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace kiln::runtime {
namespace {

enum class Reg { kEax, kEbx, kEcx, kEdx };

// Register state the OS must save on context switch before a feature's
// instructions are usable, as XCR0 bits.
enum StateMask : uint64_t {
  kNoState = 0,
  kAvxState = (1u << 1) | (1u << 2),                        // XMM, YMM
  kAvx512State = kAvxState | (1u << 5) | (1u << 6) | (1u << 7),  // k, ZMM
};

struct FeatureBit {
  const char* name;
  uint32_t leaf;
  uint32_t subleaf;
  Reg reg;
  int bit;
  uint64_t state;
};

// Bit positions from the Intel SDM / AMD APM cpuid tables.
constexpr FeatureBit kFeatureBits[] = {
    {"sse", 1, 0, Reg::kEdx, 25, kNoState},
    {"sse2", 1, 0, Reg::kEdx, 26, kNoState},
    {"sse3", 1, 0, Reg::kEcx, 0, kNoState},
    {"ssse3", 1, 0, Reg::kEcx, 9, kNoState},
    {"sse4.1", 1, 0, Reg::kEcx, 19, kNoState},
    {"sse4.2", 1, 0, Reg::kEcx, 20, kNoState},
    {"popcnt", 1, 0, Reg::kEcx, 23, kNoState},
    {"cx16", 1, 0, Reg::kEcx, 13, kNoState},
    {"sahf", 0x80000001, 0, Reg::kEcx, 0, kNoState},
    {"lzcnt", 0x80000001, 0, Reg::kEcx, 5, kNoState},
    {"movbe", 1, 0, Reg::kEcx, 22, kNoState},
    {"bmi", 7, 0, Reg::kEbx, 3, kNoState},
    {"bmi2", 7, 0, Reg::kEbx, 8, kNoState},
    {"aes", 1, 0, Reg::kEcx, 25, kNoState},
    {"pclmul", 1, 0, Reg::kEcx, 1, kNoState},
    {"avx", 1, 0, Reg::kEcx, 28, kAvxState},
    {"f16c", 1, 0, Reg::kEcx, 29, kAvxState},
    {"fma", 1, 0, Reg::kEcx, 12, kAvxState},
    {"avx2", 7, 0, Reg::kEbx, 5, kAvxState},
    {"avxvnni", 7, 1, Reg::kEax, 4, kAvxState},
    {"avx512f", 7, 0, Reg::kEbx, 16, kAvx512State},
    {"avx512cd", 7, 0, Reg::kEbx, 28, kAvx512State},
    {"avx512bw", 7, 0, Reg::kEbx, 30, kAvx512State},
    {"avx512dq", 7, 0, Reg::kEbx, 17, kAvx512State},
    {"avx512vl", 7, 0, Reg::kEbx, 31, kAvx512State},
    {"avx512vnni", 7, 0, Reg::kEcx, 11, kAvx512State},
    {"avx512ifma", 7, 0, Reg::kEbx, 21, kAvx512State},
    {"avx512vbmi", 7, 0, Reg::kEcx, 1, kAvx512State},
    {"avx512vbmi2", 7, 0, Reg::kEcx, 6, kAvx512State},
    {"avx512bitalg", 7, 0, Reg::kEcx, 12, kAvx512State},
    {"avx512vpopcntdq", 7, 0, Reg::kEcx, 14, kAvx512State},
    {"avx512bf16", 7, 1, Reg::kEax, 5, kAvx512State},
    {"avx512fp16", 7, 0, Reg::kEdx, 23, kAvx512State},
};

struct CpuidResult {
  std::array<uint32_t, 4> regs = {0, 0, 0, 0};  // eax, ebx, ecx, edx
  uint32_t operator[](Reg r) const { return regs[static_cast<int>(r)]; }
};

// Zeros for leaves the CPU does not implement (cpuid would otherwise repeat
// the highest leaf's data).
CpuidResult Cpuid(uint32_t leaf, uint32_t subleaf) {
  CpuidResult r;
  const uint32_t max_leaf = __get_cpuid_max(leaf & 0x80000000u, nullptr);
  if (max_leaf == 0 || leaf > max_leaf) return r;
  __cpuid_count(leaf, subleaf, r.regs[0], r.regs[1], r.regs[2], r.regs[3]);
  return r;
}

uint64_t EnabledStateMask() {
  constexpr int kOsxsaveBit = 27;
  if (!((Cpuid(1, 0)[Reg::kEcx] >> kOsxsaveBit) & 1)) return 0;
  uint32_t eax = 0, edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}

// Detected once: the CPU does not change under a running process.
const std::set<std::string>& DetectedFeatures() {
  static const std::set<std::string>* features = [] {
    auto* out = new std::set<std::string>;
    const uint64_t xcr0 = EnabledStateMask();
    for (const FeatureBit& f : kFeatureBits) {
      if (((Cpuid(f.leaf, f.subleaf)[f.reg] >> f.bit) & 1) &&
          (xcr0 & f.state) == f.state) {
        out->insert(f.name);
      }
    }
    return out;
  }();
  return *features;
}

bool ReadFileTrimmed(const std::string& path, std::string* out) {
  std::ifstream in(path);
  if (!in) return false;
  std::getline(in, *out);
  *out = std::string(absl::StripAsciiWhitespace(*out));
  return true;
}

// "48K", "1024K", "32M", "512" -> bytes; 0 on anything else.
int64_t ParseCacheSize(absl::string_view text) {
  int64_t scale = 1;
  if (absl::ConsumeSuffix(&text, "K")) {
    scale = 1024;
  } else if (absl::ConsumeSuffix(&text, "M")) {
    scale = 1024 * 1024;
  }
  int64_t value = 0;
  if (!absl::SimpleAtoi(text, &value) || value < 0) return 0;
  return value * scale;
}

// Files the level/type pair of one cache into `sizes`; instruction caches
// are of no interest to schedules.
void Record(int level, bool is_instruction, int64_t bytes, CacheSizes* sizes) {
  if (is_instruction) return;
  if (level == 1) sizes->l1d_bytes = bytes;
  if (level == 2) sizes->l2_bytes = bytes;
  if (level == 3) sizes->l3_bytes = bytes;
}

std::vector<int> AllowedCpus() {
  std::vector<int> cpus;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
    }
  }
  return cpus;
}

}  // namespace

const std::vector<std::string>& KnownCpuFeatures() {
  static const std::vector<std::string>* names = [] {
    auto* out = new std::vector<std::string>;
    for (const FeatureBit& f : kFeatureBits) out->push_back(f.name);
    return out;
  }();
  return *names;
}

bool IsKnownCpuFeature(absl::string_view name) {
  for (const FeatureBit& f : kFeatureBits) {
    if (name == f.name) return true;
  }
  return false;
}

bool HostHasFeature(absl::string_view name) {
  return DetectedFeatures().count(std::string(name)) > 0;
}

std::vector<std::string> HostFeatures() {
  std::vector<std::string> out;
  for (const std::string& name : KnownCpuFeatures()) {
    if (HostHasFeature(name)) out.push_back(name);
  }
  return out;
}

std::string HostCpuName() {
  std::string brand;
  for (uint32_t leaf = 0x80000002; leaf <= 0x80000004; ++leaf) {
    const CpuidResult r = Cpuid(leaf, 0);
    for (uint32_t reg : r.regs) {
      for (int byte = 0; byte < 4; ++byte) {
        const char c = static_cast<char>((reg >> (8 * byte)) & 0xff);
        if (c != '\0') brand.push_back(c);
      }
    }
  }
  absl::StripAsciiWhitespace(&brand);
  return brand.empty() ? "unknown x86 CPU" : brand;
}

absl::Status CheckHostSupports(absl::string_view comma_separated_features) {
  std::vector<std::string> missing;
  for (absl::string_view item :
       absl::StrSplit(comma_separated_features, ',', absl::SkipWhitespace())) {
    item = absl::StripAsciiWhitespace(item);
    absl::ConsumePrefix(&item, "+");
    if (!IsKnownCpuFeature(item)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown CPU feature '", item, "' in required features \"",
          comma_separated_features, "\"; known features: ",
          absl::StrJoin(KnownCpuFeatures(), ",")));
    }
    if (!HostHasFeature(item)) missing.emplace_back(item);
  }
  if (missing.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "this host's CPU (", HostCpuName(), ") lacks required features: ",
      absl::StrJoin(missing, ","), " (host features: ",
      absl::StrJoin(HostFeatures(), ","), ")"));
}

CacheSizes CacheSizesFromSysfs(const std::string& cache_dir) {
  CacheSizes sizes;
  for (int index = 0;; ++index) {
    const std::string dir = absl::StrCat(cache_dir, "/index", index);
    std::string level_text, type, size_text;
    if (!ReadFileTrimmed(dir + "/level", &level_text)) break;
    int level = 0;
    if (!ReadFileTrimmed(dir + "/type", &type) ||
        !ReadFileTrimmed(dir + "/size", &size_text) ||
        !absl::SimpleAtoi(level_text, &level)) {
      continue;
    }
    Record(level, type == "Instruction", ParseCacheSize(size_text), &sizes);
  }
  return sizes;
}

CacheSizes CacheSizesFromCpuid() {
  CacheSizes sizes;
  const CpuidResult vendor = Cpuid(0, 0);
  // "AuthenticAMD" spells "Auth" in ebx; AMD reports caches in an extended
  // leaf with the same layout as Intel's leaf 4.
  const bool amd = vendor[Reg::kEbx] == 0x68747541u;
  const uint32_t leaf = amd ? 0x8000001Du : 4u;
  for (uint32_t subleaf = 0; subleaf < 16; ++subleaf) {
    const CpuidResult r = Cpuid(leaf, subleaf);
    const uint32_t type = r[Reg::kEax] & 0x1f;  // 0: no more caches
    if (type == 0) break;
    const int level = (r[Reg::kEax] >> 5) & 0x7;
    const int64_t ways = ((r[Reg::kEbx] >> 22) & 0x3ff) + 1;
    const int64_t partitions = ((r[Reg::kEbx] >> 12) & 0x3ff) + 1;
    const int64_t line = (r[Reg::kEbx] & 0xfff) + 1;
    const int64_t sets = static_cast<int64_t>(r[Reg::kEcx]) + 1;
    Record(level, type == 2, ways * partitions * line * sets, &sizes);
  }
  return sizes;
}

CacheSizes HostCacheSizes() {
  CacheSizes sizes =
      CacheSizesFromSysfs("/sys/devices/system/cpu/cpu0/cache");
  if (sizes.l1d_bytes == 0 && sizes.l2_bytes == 0 && sizes.l3_bytes == 0) {
    sizes = CacheSizesFromCpuid();
  }
  return sizes;
}

int HostPhysicalCores() {
  const std::vector<int> cpus = AllowedCpus();
  std::set<std::pair<std::string, std::string>> cores;
  for (int cpu : cpus) {
    const std::string dir =
        absl::StrCat("/sys/devices/system/cpu/cpu", cpu, "/topology");
    std::string package, core;
    if (!ReadFileTrimmed(dir + "/physical_package_id", &package) ||
        !ReadFileTrimmed(dir + "/core_id", &core)) {
      cores.clear();
      break;
    }
    cores.emplace(package, core);
  }
  if (!cores.empty()) return static_cast<int>(cores.size());
  if (!cpus.empty()) return static_cast<int>(cpus.size());
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace kiln::runtime

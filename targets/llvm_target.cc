// The "llvm" target kind: x86-64 code through LLVM, shaped by a CPU preset
// (-mcpu), feature changes (-mattr) and a core count (-num-cores).
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "runtime/cpu_features.h"
#include "targets/target_parser.h"
#include "targets/target_registry.h"

namespace kiln::targets {
namespace {

bool Has(const std::vector<std::string>& features, absl::string_view name) {
  return std::find(features.begin(), features.end(), name) != features.end();
}

absl::StatusOr<Target> MakeLlvmTarget(const TargetOptions& options) {
  for (const auto& [key, value] : options) {
    if (key != "mcpu" && key != "mattr" && key != "num-cores" && key != "mtriple") {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown option -", key, " for target llvm; expected -mcpu, -mattr, -num-cores or "
          "-mtriple"));
    }
  }
  Target t;
  t.kind = "llvm";
  t.triple = "x86_64-pc-linux-gnu";
  if (auto it = options.find("mtriple"); it != options.end()) {
    if (!absl::StartsWith(it->second, "x86_64")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "target triple '", it->second, "' is not supported; kiln generates x86_64 code"));
    }
    t.triple = it->second;
  }
  auto mcpu = options.find("mcpu");
  t.cpu_preset = mcpu == options.end() ? "x86-64" : mcpu->second;
  auto preset_factory = CpuPresetRegistry().Find(t.cpu_preset);
  if (!preset_factory.ok()) return preset_factory.status();
  auto preset = (*preset_factory)();
  if (!preset.ok()) return preset.status();
  t.mcpu = preset->llvm_cpu;
  std::vector<std::string> features = preset->features;
  std::vector<std::string> mattr;
  for (const std::string& f : features) mattr.push_back(absl::StrCat("+", f));
  if (auto it = options.find("mattr"); it != options.end()) {
    t.mattr_option = it->second;
    for (absl::string_view item : absl::StrSplit(it->second, ',', absl::SkipEmpty())) {
      const char sign = item[0];
      absl::string_view name = item.substr(1);
      if ((sign != '+' && sign != '-') || !runtime::IsKnownCpuFeature(name)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "bad -mattr item '", item, "'; expected +feature or -feature with a feature among: ",
            absl::StrJoin(runtime::KnownCpuFeatures(), ", ")));
      }
      features.erase(std::remove(features.begin(), features.end(), name), features.end());
      if (sign == '+') features.push_back(std::string(name));
      mattr.push_back(std::string(item));
    }
  }
  t.mattr = absl::StrJoin(mattr, ",");
  t.has_fma = Has(features, "fma");
  t.vector_lanes = Has(features, "avx512f") ? 16 : (Has(features, "avx") ? 8 : 4);
  t.vector_registers = Has(features, "avx512f") ? 32 : 16;
  t.l1d_bytes = preset->l1d_bytes;
  t.l2_bytes = preset->l2_bytes;
  t.l3_bytes = preset->l3_bytes;
  t.num_cores = preset->num_cores;
  if (auto it = options.find("num-cores"); it != options.end()) {
    int cores = 0;
    if (!absl::SimpleAtoi(it->second, &cores) || cores < 1 || cores > 1024) {
      return absl::InvalidArgumentError(absl::StrCat(
          "-num-cores=", it->second, " is not a core count; expected an integer in [1, 1024]"));
    }
    t.num_cores = cores;
    t.num_cores_given = true;
  }
  return t;
}

}  // namespace

absl::Status CheckHostCanRun(const Target& target) {
  std::vector<std::string> needed;
  for (absl::string_view item : absl::StrSplit(target.mattr, ',', absl::SkipEmpty())) {
    if (item[0] == '+') needed.push_back(std::string(item.substr(1)));
  }
  auto st = runtime::CheckHostSupports(absl::StrJoin(needed, ","));
  if (st.ok()) return st;
  return absl::FailedPreconditionError(
      absl::StrCat("this host cannot run code for target '", target.ToString(), "': ",
                   st.message()));
}

KILN_REGISTER(TargetKindRegistry(), "llvm", "x86-64 CPUs through LLVM", &MakeLlvmTarget);

}  // namespace kiln::targets

#include "codegen/target_machine.h"

#include <mutex>

#include "absl/strings/str_cat.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "runtime/cpu_features.h"

namespace kiln::codegen {

void InitializeLlvm() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

absl::StatusOr<std::unique_ptr<llvm::TargetMachine>> CreateTargetMachine(
    const targets::Target& target) {
  InitializeLlvm();
  std::string error;
  const llvm::Target* llvm_target = llvm::TargetRegistry::lookupTarget(target.triple, error);
  if (llvm_target == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("LLVM has no target for triple '", target.triple, "': ", error));
  }
  llvm::TargetOptions options;
  // a*b+c may fuse into one FMA; no other reassociation.
  options.AllowFPOpFusion = llvm::FPOpFusion::Fast;
  std::unique_ptr<llvm::TargetMachine> machine(llvm_target->createTargetMachine(
      target.triple, target.mcpu, target.mattr, options, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
  if (!machine) {
    return absl::InvalidArgumentError(absl::StrCat("LLVM cannot create a machine for cpu '",
                                                   target.mcpu, "' with features '",
                                                   target.mattr, "'"));
  }
  return machine;
}

std::vector<std::string> RequiredCpuFeatures(const llvm::TargetMachine& machine) {
  const llvm::MCSubtargetInfo* info = machine.getMCSubtargetInfo();
  std::vector<std::string> features;
  for (const std::string& name : runtime::KnownCpuFeatures()) {
    if (info->checkFeatures(absl::StrCat("+", name))) features.push_back(name);
  }
  return features;
}

}  // namespace kiln::codegen

// LLVM target machines for kiln targets, and LLVM's one-time initialization.
#ifndef KILN_CODEGEN_TARGET_MACHINE_H_
#define KILN_CODEGEN_TARGET_MACHINE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "llvm/Target/TargetMachine.h"
#include "targets/target.h"

namespace kiln::codegen {

// Initializes LLVM's native target once; safe to call from any thread.
void InitializeLlvm();

absl::StatusOr<std::unique_ptr<llvm::TargetMachine>> CreateTargetMachine(
    const targets::Target& target);

// The x86 features (LLVM spelling, no '+') code for this machine may use,
// limited to those the runtime can detect on a host.
std::vector<std::string> RequiredCpuFeatures(const llvm::TargetMachine& machine);

}  // namespace kiln::codegen

#endif  // KILN_CODEGEN_TARGET_MACHINE_H_

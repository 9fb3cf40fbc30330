// Translation of lowered kiln functions into an optimized LLVM module.
//
// Every function becomes
//   extern "C" int32_t name(void* const* args);   // 0 on success
// whose args[i] points at the first element of LoweredFunc::args[i]. The body
// lives in an internal function taking the buffers as `noalias` pointers, so
// LLVM knows they do not overlap. Parallel loops are outlined into tasks run
// through the runtime's KilnBackendParallelLaunch, reached through a
// function-pointer global the loader fills in (see runtime/backend_api.h).
#ifndef KILN_CODEGEN_LLVM_CODEGEN_H_
#define KILN_CODEGEN_LLVM_CODEGEN_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/stmt.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

namespace kiln::codegen {

// Builds the module (unoptimized) for `machine`'s triple and data layout;
// `vector_bits` is the widest vector register the target should use.
absl::StatusOr<std::unique_ptr<llvm::Module>> BuildModule(
    const std::vector<ir::LoweredFunc>& funcs, llvm::TargetMachine& machine,
    llvm::LLVMContext& context, int vector_bits);

// Runs LLVM's O3 pipeline tuned for `machine`.
void OptimizeModule(llvm::Module& module, llvm::TargetMachine& machine);

}  // namespace kiln::codegen

#endif  // KILN_CODEGEN_LLVM_CODEGEN_H_

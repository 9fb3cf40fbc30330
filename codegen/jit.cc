#include "codegen/jit.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "codegen/llvm_codegen.h"
#include "codegen/target_machine.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/Support/raw_ostream.h"
#include "runtime/backend_api.h"
#include "runtime/cpu_features.h"
#include "runtime/env_flag.h"

namespace kiln::codegen {
namespace {

std::string ToString(llvm::Error error) {
  std::string message;
  llvm::handleAllErrors(std::move(error),
                        [&](const llvm::ErrorInfoBase& e) { message = e.message(); });
  return message;
}

}  // namespace

JitModule::~JitModule() = default;

absl::StatusOr<std::unique_ptr<JitModule>> JitModule::Compile(
    const std::vector<ir::LoweredFunc>& funcs, const targets::Target& target) {
  auto machine = CreateTargetMachine(target);
  if (!machine.ok()) return machine.status();
  const std::vector<std::string> features = RequiredCpuFeatures(**machine);
  if (auto st = runtime::CheckHostSupports(absl::StrJoin(features, ",")); !st.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot run code for target '", target.ToString(), "' here: ",
                     st.message()));
  }

  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = BuildModule(funcs, **machine, *context, 32 * target.vector_lanes);
  if (!module.ok()) return module.status();
  OptimizeModule(**module, **machine);

  auto result = std::unique_ptr<JitModule>(new JitModule());
  {
    llvm::raw_string_ostream os(result->llvm_ir_);
    (*module)->print(os, nullptr);
  }
  if (runtime::EnvFlag("KILN_DUMP_LLVM")) std::cerr << result->llvm_ir_;

  llvm::orc::JITTargetMachineBuilder builder((*machine)->getTargetTriple());
  builder.setCPU(target.mcpu);
  if (!target.mattr.empty()) {
    builder.addFeatures(std::vector<std::string>(absl::StrSplit(target.mattr, ',', absl::SkipEmpty())));
  }
  builder.setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  builder.getOptions().AllowFPOpFusion = llvm::FPOpFusion::Fast;
  auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(builder).create();
  if (!jit) return absl::InternalError(absl::StrCat("LLVM JIT: ", ToString(jit.takeError())));
  result->jit_ = std::move(*jit);
  // Kernels call libm (expf, tanhf, ...) by name.
  auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      result->jit_->getDataLayout().getGlobalPrefix());
  if (!process) return absl::InternalError(ToString(process.takeError()));
  result->jit_->getMainJITDylib().addGenerator(std::move(*process));
  if (auto err = result->jit_->addIRModule(
          llvm::orc::ThreadSafeModule(std::move(*module), std::move(context)))) {
    return absl::InternalError(absl::StrCat("LLVM JIT: ", ToString(std::move(err))));
  }
  // Point the module's runtime hooks at this process's runtime.
  const std::pair<const char*, void*> hooks[] = {
      {KILN_PARALLEL_LAUNCH_SYMBOL, reinterpret_cast<void*>(&KilnBackendParallelLaunch)},
      {KILN_ALLOC_WORKSPACE_SYMBOL, reinterpret_cast<void*>(&KilnBackendAllocWorkspace)},
      {KILN_FREE_WORKSPACE_SYMBOL, reinterpret_cast<void*>(&KilnBackendFreeWorkspace)},
  };
  for (const auto& [name, address] : hooks) {
    auto symbol = result->jit_->lookup(name);
    if (!symbol) return absl::InternalError(ToString(symbol.takeError()));
    *symbol->toPtr<void**>() = address;
  }
  return result;
}

absl::StatusOr<KernelFunction> JitModule::Lookup(const std::string& name) {
  auto symbol = jit_->lookup(name);
  if (!symbol) {
    return absl::NotFoundError(
        absl::StrCat("no kernel '", name, "' in the module: ", ToString(symbol.takeError())));
  }
  return symbol->toPtr<KernelFunction>();
}

}  // namespace kiln::codegen

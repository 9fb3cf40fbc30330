#include "codegen/object_emitter.h"

#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "codegen/llvm_codegen.h"
#include "codegen/target_machine.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/Support/raw_ostream.h"
#include "runtime/env_flag.h"

extern char** environ;

namespace kiln::codegen {

absl::StatusOr<std::string> EmitObject(const std::vector<ir::LoweredFunc>& funcs,
                                       const targets::Target& target) {
  auto machine = CreateTargetMachine(target);
  if (!machine.ok()) return machine.status();
  llvm::LLVMContext context;
  auto module = BuildModule(funcs, **machine, context, 32 * target.vector_lanes);
  if (!module.ok()) return module.status();
  OptimizeModule(**module, **machine);
  if (runtime::EnvFlag("KILN_DUMP_LLVM")) (*module)->print(llvm::errs(), nullptr);
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream os(buffer);
  llvm::legacy::PassManager passes;
  if ((*machine)->addPassesToEmitFile(passes, os, nullptr, llvm::CodeGenFileType::ObjectFile)) {
    return absl::InternalError("LLVM cannot emit object files for this target");
  }
  passes.run(**module);
  return std::string(buffer.begin(), buffer.end());
}

absl::Status LinkSharedLibrary(const std::vector<std::string>& object_paths,
                               const std::string& output_path) {
  std::vector<std::string> argv = {"cc", "-shared", "-o", output_path};
  argv.insert(argv.end(), object_paths.begin(), object_paths.end());
  argv.push_back("-lm");
  std::vector<char*> raw;
  for (std::string& a : argv) raw.push_back(a.data());
  raw.push_back(nullptr);
  pid_t pid;
  const int err = posix_spawnp(&pid, "cc", nullptr, nullptr, raw.data(), environ);
  if (err != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot run the linker 'cc' (", std::strerror(err),
        "); a C compiler driver on PATH is needed to write shared libraries"));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return absl::InternalError("waitpid on the linker failed");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat("linking failed: ", absl::StrJoin(argv, " ")));
  }
  return absl::OkStatus();
}

}  // namespace kiln::codegen

// Compiling lowered functions in-process with LLVM's ORC JIT, for measuring
// tuning candidates and for tests.
#ifndef KILN_CODEGEN_JIT_H_
#define KILN_CODEGEN_JIT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/stmt.h"
#include "targets/target.h"

namespace llvm::orc {
class LLJIT;
}

namespace kiln::codegen {

using KernelFunction = int32_t (*)(void* const* args);

class JitModule {
 public:
  // Fails (before anything runs) when the host lacks a CPU feature the
  // target's code would use.
  static absl::StatusOr<std::unique_ptr<JitModule>> Compile(
      const std::vector<ir::LoweredFunc>& funcs, const targets::Target& target);
  ~JitModule();

  absl::StatusOr<KernelFunction> Lookup(const std::string& name);

  // Optimized LLVM IR of the module, for debugging and tests.
  const std::string& llvm_ir() const { return llvm_ir_; }

 private:
  JitModule() = default;
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  std::string llvm_ir_;
};

}  // namespace kiln::codegen

#endif  // KILN_CODEGEN_JIT_H_

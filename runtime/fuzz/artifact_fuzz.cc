// An artifact's bytes up to, not including, loading its kernels: the
// footer's checks, and an execution plan parsed, validated and bound to
// memory by an executor. Since the checksum stops nearly every mutation at
// the footer, the same bytes are also tried as a plan on their own.
#include <cstddef>
#include <cstdint>

#include "runtime/artifact.h"
#include "runtime/graph_executor.h"
#include "runtime/machine_memory.h"

namespace {

int32_t NeverRun(void* const* args) { return 0; }

// Plans that ask for more than 256 MB but fit this machine (which the
// executor refuses past) are not bound: such a plan is valid, and binding
// it only allocates and zero-fills its arena, which past libFuzzer's 2 GB
// is reported as a crash and at 1 GB takes seconds under AddressSanitizer
// (reported as a slow unit) without reaching new code.
constexpr int64_t kFuzzerMemory = int64_t{1} << 28;

void Bind(const kiln::runtime::ExecutionPlan& plan) {
  if (plan.Validate().ok() && plan.ExecutorBytes() > kFuzzerMemory &&
      plan.ExecutorBytes() <= kiln::runtime::MachineMemoryBytes()) {
    return;
  }
  auto executor = kiln::runtime::GraphExecutor::Create(
      plan, [](const std::string&) -> absl::StatusOr<kiln::runtime::KernelFunction> {
        return &NeverRun;
      });
  (void)executor;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto contents = kiln::runtime::ReadArtifactContents(bytes); contents.ok()) {
    Bind(contents->plan);
  }
  if (auto plan = kiln::runtime::ParsePlan(bytes); plan.ok()) Bind(*plan);
  return 0;
}

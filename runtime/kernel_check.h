// Measuring one built candidate kernel: a checking run in a child process,
// its output compared with the expected one, then timing. The same steps for
// local tuning (tuners/runner.h) and for a measurement worker
// (runtime/remote/worker.h), so a candidate is judged alike wherever it runs.
#ifndef KILN_RUNTIME_KERNEL_CHECK_H_
#define KILN_RUNTIME_KERNEL_CHECK_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "runtime/kernel_timer.h"
#include "runtime/module.h"

namespace kiln::runtime {

// Why a checked run has no costs; named as tuning records name them.
enum class KernelCheckError {
  kNone,
  kRuntimeDevice,  // crashed, or reported a failure
  kWrongAnswer,    // output differs from the expected one
  kRunTimeout,     // the checking run outlived its deadline
  kUnknownError,   // the measuring machinery failed (fork, pipe)
};

// "NO_ERROR", "RUNTIME_DEVICE", "WRONG_ANSWER", "RUN_TIMEOUT", "UNKNOWN_ERROR".
absl::string_view KernelCheckErrorName(KernelCheckError error);

struct KernelCheckResult {
  KernelCheckError error = KernelCheckError::kNone;
  std::string error_msg;
  std::vector<double> costs;  // seconds per run, one per repeat (empty on error)
};

// `buffers` are the kernel's arguments, inputs then the output (the last).
// The kernel first runs once in a child process with `timeout_s` to live (a
// crash or hang takes only the child down); its output must match
// `expected` (same layout) within 1e-3 relative, where a NaN in `expected`
// marks an element no layout defines. Then it is timed in this process;
// after each cache flush every buffer but `weight_buffer` is read back in.
KernelCheckResult CheckAndTimeKernel(KernelFunction kernel, std::vector<std::vector<float>>& buffers,
                                     const std::vector<float>& expected, int weight_buffer,
                                     KernelTimer& timer, double timeout_s);

}  // namespace kiln::runtime

#endif  // KILN_RUNTIME_KERNEL_CHECK_H_

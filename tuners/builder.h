// Building candidates: a config of a task becomes a kernel ready to run.
//
// Measurement is two steps behind interfaces, as AutoTVM's builder and
// runner: a Builder turns configs into built kernels, a Runner (runner.h)
// runs built kernels and returns their costs. Local tuning builds with the
// JIT on several threads and runs in this process (children for the first,
// checking run); measuring elsewhere is another Runner fed by a Builder that
// also keeps the shared object's bytes.
#ifndef KILN_TUNERS_BUILDER_H_
#define KILN_TUNERS_BUILDER_H_

#include <memory>
#include <string>
#include <vector>

#include "codegen/jit.h"
#include "ir/tuning/kernel_harness.h"
#include "targets/target.h"
#include "tuners/measure.h"

namespace kiln::tuners {

struct BuildResult {
  // kNoError, kInstantiationError (the template rejected the config) or
  // kCompileHost (lowering or code generation failed), with why.
  MeasureErrorNo error_no = MeasureErrorNo::kNoError;
  std::string error_msg;
  double seconds = 0;  // this build's share of the batch's build time
  // From the JIT builder: the kernel, callable in this process.
  std::shared_ptr<codegen::JitModule> module;
  codegen::KernelFunction kernel = nullptr;
  // From the shared-object builder: the kernel as a library for dlopen on
  // another machine, and its exported name.
  std::string shared_object;
  std::string function;

  bool ok() const { return error_no == MeasureErrorNo::kNoError; }
};

class Builder {
 public:
  virtual ~Builder() = default;
  // One result per input, in order; a config that fails to build is a
  // result with an error, never a failed call.
  virtual std::vector<BuildResult> Build(const std::vector<MeasureInput>& inputs) = 0;
};

// Lowers each config through `harness` and compiles it with the JIT for
// `target`, on `n_parallel` threads (each with its own LLVM context).
std::unique_ptr<Builder> MakeLocalBuilder(tuning::KernelHarness harness,
                                          const targets::Target& target, int n_parallel);

// Lowers each config likewise and compiles it to a shared library (object
// code linked with `cc -shared`), for a runner that measures elsewhere.
std::unique_ptr<Builder> MakeSharedObjectBuilder(tuning::KernelHarness harness,
                                                 const targets::Target& target, int n_parallel);

}  // namespace kiln::tuners

#endif  // KILN_TUNERS_BUILDER_H_

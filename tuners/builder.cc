#include "tuners/builder.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <thread>

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "codegen/object_emitter.h"

namespace kiln::tuners {
namespace {

// Compiles one lowered function into `r` (a kCompileHost error on failure).
using CompileFn = std::function<void(const ir::LoweredFunc&, const targets::Target&, BuildResult&)>;

// Lowers and compiles configs on n_parallel threads.
class ParallelBuilder final : public Builder {
 public:
  ParallelBuilder(tuning::KernelHarness harness, const targets::Target& target, int n_parallel,
                  CompileFn compile)
      : harness_(std::move(harness)),
        target_(target),
        n_parallel_(n_parallel),
        compile_(std::move(compile)) {}

  std::vector<BuildResult> Build(const std::vector<MeasureInput>& inputs) override {
    const size_t n = inputs.size();
    std::vector<BuildResult> results(n);
    const auto start = std::chrono::steady_clock::now();
    std::atomic<size_t> next{0};
    auto build_some = [&] {
      for (size_t k; (k = next.fetch_add(1)) < n;) results[k] = BuildOne(inputs[k].config);
    };
    std::vector<std::thread> builders;
    for (int t = 1; t < std::min<int>(n_parallel_, static_cast<int>(n)); ++t) {
      builders.emplace_back(build_some);
    }
    build_some();
    for (std::thread& t : builders) t.join();
    // Each candidate is charged an equal share of the parallel build time.
    const double share =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
        std::max<size_t>(n, 1);
    for (BuildResult& r : results) r.seconds = share;
    return results;
  }

 private:
  BuildResult BuildOne(const tuning::Config& config) const {
    BuildResult r;
    auto f = harness_.build(config);
    if (!f.ok()) {
      r.error_no = MeasureErrorNo::kInstantiationError;
      r.error_msg = std::string(f.status().message());
      return r;
    }
    compile_(*f, target_, r);
    return r;
  }

  const tuning::KernelHarness harness_;
  const targets::Target target_;
  const int n_parallel_;
  const CompileFn compile_;
};

void CompileError(const absl::Status& status, BuildResult& r) {
  r.error_no = MeasureErrorNo::kCompileHost;
  r.error_msg = std::string(status.message());
}

void CompileWithJit(const ir::LoweredFunc& f, const targets::Target& target, BuildResult& r) {
  auto module = codegen::JitModule::Compile({f}, target);
  auto kernel = module.ok() ? (*module)->Lookup(f.name)
                            : absl::StatusOr<codegen::KernelFunction>(module.status());
  if (!kernel.ok()) return CompileError(kernel.status(), r);
  r.module = *std::move(module);
  r.kernel = *kernel;
}

// Object code, linked by `cc` in a temporary folder (each build its own).
void CompileToSharedObject(const ir::LoweredFunc& f, const targets::Target& target,
                           BuildResult& r) {
  auto object = codegen::EmitObject({f}, target);
  if (!object.ok()) return CompileError(object.status(), r);
  const char* tmp = std::getenv("TMPDIR");
  std::string dir = std::string(tmp != nullptr && *tmp ? tmp : "/tmp") + "/kiln_build_XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) {
    return CompileError(absl::InternalError("cannot create a temporary folder to link in"), r);
  }
  const std::string o = dir + "/kernel.o", so = dir + "/kernel.so";
  absl::Status st;
  {
    std::ofstream out(o, std::ios::binary);
    out.write(object->data(), static_cast<std::streamsize>(object->size()));
    if (!out) st = absl::InternalError(absl::StrCat("cannot write ", o));
  }
  if (st.ok()) st = codegen::LinkSharedLibrary({o}, so);
  if (st.ok()) {
    std::ifstream in(so, std::ios::binary);
    r.shared_object.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (r.shared_object.empty()) st = absl::InternalError(absl::StrCat("cannot read ", so));
  }
  std::remove(o.c_str());
  std::remove(so.c_str());
  rmdir(dir.c_str());
  if (!st.ok()) return CompileError(st, r);
  r.function = f.name;
}

}  // namespace

std::unique_ptr<Builder> MakeLocalBuilder(tuning::KernelHarness harness,
                                          const targets::Target& target, int n_parallel) {
  return std::make_unique<ParallelBuilder>(std::move(harness), target, n_parallel,
                                           &CompileWithJit);
}

std::unique_ptr<Builder> MakeSharedObjectBuilder(tuning::KernelHarness harness,
                                                 const targets::Target& target, int n_parallel) {
  return std::make_unique<ParallelBuilder>(std::move(harness), target, n_parallel,
                                           &CompileToSharedObject);
}

}  // namespace kiln::tuners

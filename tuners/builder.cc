#include "tuners/builder.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

namespace kiln::tuners {
namespace {

class LocalBuilder final : public Builder {
 public:
  LocalBuilder(tuning::KernelHarness harness, const targets::Target& target, int n_parallel)
      : harness_(std::move(harness)), target_(target), n_parallel_(n_parallel) {}

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
    auto module = codegen::JitModule::Compile({*f}, target_);
    auto kernel = module.ok() ? (*module)->Lookup(f->name)
                              : absl::StatusOr<codegen::KernelFunction>(module.status());
    if (!kernel.ok()) {
      r.error_no = MeasureErrorNo::kCompileHost;
      r.error_msg = std::string(kernel.status().message());
      return r;
    }
    r.module = *std::move(module);
    r.kernel = *kernel;
    return r;
  }

  const tuning::KernelHarness harness_;
  const targets::Target target_;
  const int n_parallel_;
};

}  // namespace

std::unique_ptr<Builder> MakeLocalBuilder(tuning::KernelHarness harness,
                                          const targets::Target& target, int n_parallel) {
  return std::make_unique<LocalBuilder>(std::move(harness), target, n_parallel);
}

}  // namespace kiln::tuners

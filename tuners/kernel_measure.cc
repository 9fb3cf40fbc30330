#include "tuners/kernel_measure.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "codegen/jit.h"
#include "tuners/isolated_process.h"
#include "tuners/kernel_timer.h"

namespace kiln::tuners {
namespace {

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Compiled {
  std::unique_ptr<codegen::JitModule> module;
  codegen::KernelFunction kernel = nullptr;
};

absl::StatusOr<Compiled> Compile(const tuning::KernelHarness& harness, const tuning::Config& config,
                                 const targets::Target& target, MeasureResult* result) {
  auto f = harness.build(config);
  if (!f.ok()) {
    result->error_no = MeasureErrorNo::kInstantiationError;
    return f.status();
  }
  auto module = codegen::JitModule::Compile({*f}, target);
  if (!module.ok()) {
    result->error_no = MeasureErrorNo::kCompileHost;
    return module.status();
  }
  auto kernel = (*module)->Lookup(f->name);
  if (!kernel.ok()) {
    result->error_no = MeasureErrorNo::kCompileHost;
    return kernel.status();
  }
  return Compiled{*std::move(module), *kernel};
}

absl::StatusOr<std::vector<float>> RunOnce(const tuning::KernelHarness& harness,
                                           const tuning::Config& config, const Compiled& compiled,
                                           std::vector<std::vector<float>>& buffers) {
  std::vector<void*> args;
  for (auto& b : buffers) args.push_back(b.data());
  if (int32_t rc = compiled.kernel(args.data()); rc != 0) {
    return absl::InternalError(absl::StrCat("kernel returned ", rc));
  }
  return harness.canonical_output(config, buffers.back());
}

// Runs the candidate once in a child process: a kernel that crashes or hangs
// takes only the child down. Returns its canonical output, or sets the
// error code in `result`.
absl::StatusOr<std::vector<float>> RunIsolated(const tuning::KernelHarness& harness,
                                               const tuning::Config& config,
                                               const Compiled& compiled,
                                               std::vector<std::vector<float>>& buffers,
                                               double timeout_s, MeasureResult* result) {
  auto outcome = RunInChildProcess(
      [&]() -> std::string {
        auto out = RunOnce(harness, config, compiled, buffers);
        if (!out.ok()) return std::string("E") + std::string(out.status().message());
        return std::string("O") + std::string(reinterpret_cast<const char*>(out->data()),
                                              out->size() * sizeof(float));
      },
      absl::Seconds(timeout_s));
  if (!outcome.ok()) {
    result->error_no = MeasureErrorNo::kUnknownError;
    return outcome.status();
  }
  switch (outcome->kind) {
    case ChildOutcome::Kind::kReturned:
      break;
    case ChildOutcome::Kind::kTimedOut:
      result->error_no = MeasureErrorNo::kRunTimeout;
      return absl::DeadlineExceededError(outcome->Describe());
    default:
      result->error_no = MeasureErrorNo::kRuntimeDevice;
      return absl::InternalError(outcome->Describe());
  }
  const std::string& payload = outcome->payload;
  if (payload.empty() || payload[0] != 'O' || (payload.size() - 1) % sizeof(float) != 0) {
    result->error_no = MeasureErrorNo::kRuntimeDevice;
    return absl::InternalError(payload.size() > 1 ? payload.substr(1) : "no output");
  }
  std::vector<float> out((payload.size() - 1) / sizeof(float));
  std::memcpy(out.data(), payload.data() + 1, payload.size() - 1);
  return out;
}

// Reads every cache line of `v`; the sum keeps the reads from being elided.
void ReadIntoCache(const std::vector<float>& v) {
  volatile float sink = 0;
  float sum = 0;
  for (size_t i = 0; i < v.size(); i += 16) sum += v[i];
  sink = sum;
  (void)sink;
}

}  // namespace

absl::StatusOr<MeasureFunction> MakeKernelMeasure(tuning::KernelHarness harness,
                                                  const targets::Target& target,
                                                  const MeasureOption& option,
                                                  const tuning::Config& reference) {
  if (auto st = option.Validate(); !st.ok()) return st;
  auto timer = KernelTimer::Create(option);
  if (!timer.ok()) return timer.status();
  // The reference output every candidate must reproduce.
  MeasureResult scratch;
  auto compiled = Compile(harness, reference, target, &scratch);
  if (!compiled.ok()) return compiled.status();
  auto buffers = harness.make_buffers(reference);
  if (!buffers.ok()) return buffers.status();
  auto expected = RunOnce(harness, reference, *compiled, *buffers);
  if (!expected.ok()) return expected.status();

  auto shared_expected = std::make_shared<std::vector<float>>(*std::move(expected));
  auto shared_timer = std::make_shared<KernelTimer>(*std::move(timer));
  const double timeout_s = option.timeout_s;
  const int n_parallel = option.n_parallel;
  return MeasureFunction(
      [harness, target, shared_expected, shared_timer, timeout_s,
       n_parallel](const std::vector<MeasureInput>& inputs)
          -> absl::StatusOr<std::vector<MeasureResult>> {
        // Builds (lowering and LLVM) run on n_parallel threads, each with its
        // own LLVM context; runs and timings stay serial so that candidates
        // never compete for the cores they are timed on.
        const size_t n = inputs.size();
        std::vector<MeasureResult> results(n);
        std::vector<std::optional<absl::StatusOr<Compiled>>> builds(n);
        const double batch_start = NowSeconds();
        std::atomic<size_t> next{0};
        auto build_some = [&] {
          for (size_t k; (k = next.fetch_add(1)) < n;) {
            builds[k] = Compile(harness, inputs[k].config, target, &results[k]);
          }
        };
        std::vector<std::thread> builders;
        for (int t = 1; t < std::min<int>(n_parallel, static_cast<int>(n)); ++t) {
          builders.emplace_back(build_some);
        }
        build_some();
        for (std::thread& t : builders) t.join();
        // Each candidate is charged an equal share of the parallel build time.
        const double build_share = (NowSeconds() - batch_start) / std::max<size_t>(n, 1);
        for (size_t k = 0; k < n; ++k) {
          const MeasureInput& input = inputs[k];
          const double start = NowSeconds() - build_share;
          MeasureResult& r = results[k];
          auto measure = [&]() -> absl::Status {
            absl::StatusOr<Compiled>& compiled = *builds[k];
            if (!compiled.ok()) return compiled.status();
            auto buffers = harness.make_buffers(input.config);
            if (!buffers.ok()) {
              r.error_no = MeasureErrorNo::kInstantiationError;
              return buffers.status();
            }
            auto out = RunIsolated(harness, input.config, *compiled, *buffers, timeout_s, &r);
            if (!out.ok()) return out.status();
            if (out->size() != shared_expected->size()) {
              r.error_no = MeasureErrorNo::kWrongAnswer;
              return absl::InternalError(absl::StrCat("output has ", out->size(),
                                                      " elements, the reference ",
                                                      shared_expected->size()));
            }
            for (size_t i = 0; i < out->size(); ++i) {
              const float want = (*shared_expected)[i], got = (*out)[i];
              if (!(std::fabs(got - want) <= 1e-3f * (1.0f + std::fabs(want)))) {
                r.error_no = MeasureErrorNo::kWrongAnswer;
                return absl::InternalError(absl::StrCat("element ", i, " is ", got,
                                                        ", the reference config gives ", want));
              }
            }
            std::vector<void*> args;
            for (auto& b : *buffers) args.push_back(b.data());
            auto rewarm = [&] {
              for (size_t b = 0; b < buffers->size(); ++b) {
                if (static_cast<int>(b) != harness.weight_buffer) ReadIntoCache((*buffers)[b]);
              }
            };
            auto costs = shared_timer->Time(
                [&]() -> absl::Status {
                  if (compiled->kernel(args.data()) != 0) {
                    return absl::InternalError("kernel reported a failure");
                  }
                  return absl::OkStatus();
                },
                rewarm);
            if (!costs.ok()) {
              r.error_no = MeasureErrorNo::kRuntimeDevice;
              return costs.status();
            }
            r.costs = *std::move(costs);
            return absl::OkStatus();
          };
          if (absl::Status st = measure(); !st.ok()) {
            if (r.error_no == MeasureErrorNo::kNoError) r.error_no = MeasureErrorNo::kUnknownError;
            r.error_msg = std::string(st.message());
            r.costs.clear();
          }
          r.timestamp = NowSeconds();
          r.all_cost = r.timestamp - start;
          builds[k].reset();  // frees the candidate's JIT memory
        }
        return results;
      });
}

}  // namespace kiln::tuners

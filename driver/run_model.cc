#include "driver/run_model.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>

#include <sys/resource.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "runtime/loaded_model.h"
#include "runtime/npy_format.h"
#include "runtime/thread_pool.h"

namespace kiln::driver {

TimingStats StatsOfSamples(std::vector<double> samples_ms) {
  TimingStats s;
  s.samples_ms = std::move(samples_ms);
  if (s.samples_ms.empty()) return s;
  std::vector<double> sorted = s.samples_ms;
  std::sort(sorted.begin(), sorted.end());
  const size_t n = sorted.size();
  s.median_ms = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  s.min_ms = sorted.front();
  s.max_ms = sorted.back();
  double sum = 0, sq = 0;
  for (double x : sorted) sum += x;
  s.mean_ms = sum / n;
  for (double x : sorted) sq += (x - s.mean_ms) * (x - s.mean_ms);
  s.std_ms = std::sqrt(sq / n);
  return s;
}

absl::StatusOr<TimingStats> TimeRuns(const std::function<absl::Status()>& run, int repeat,
                                     int number, int min_repeat_ms) {
  if (repeat < 1 || number < 1 || min_repeat_ms < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "repeat and number must be at least 1 and min_repeat_ms at least 0, got ", repeat, ", ",
        number, " and ", min_repeat_ms));
  }
  // Mean milliseconds of `n` consecutive runs.
  const auto sample = [&](int n) -> absl::StatusOr<double> {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      if (auto st = run(); !st.ok()) return st;
    }
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
               .count() / n;
  };
  auto warm_up = sample(1);  // first-touch of memory, caches
  if (!warm_up.ok()) return warm_up.status();
  if (min_repeat_ms > 0) {
    const double per_run = std::max(*warm_up, 1e-6);
    number = std::max<int64_t>(number, std::ceil(min_repeat_ms / per_run));
  }
  std::vector<double> samples;
  for (int r = 0; r < repeat; ++r) {
    auto ms = sample(number);
    if (!ms.ok()) return ms.status();
    samples.push_back(*ms);
  }
  return StatsOfSamples(std::move(samples));
}

absl::StatusOr<std::pair<TimingStats, TimingStats>> TimeInterleaved(
    const std::function<absl::Status()>& a, const std::function<absl::Status()>& b, int rounds,
    int number) {
  std::vector<double> a_ms, b_ms;
  for (int r = 0; r < rounds; ++r) {
    // Alternating which goes first, so neither always follows the other.
    for (bool a_turn : {r % 2 == 0, r % 2 != 0}) {
      auto sample = TimeRuns(a_turn ? a : b, 1, number);
      if (!sample.ok()) return sample.status();
      (a_turn ? a_ms : b_ms).push_back(sample->samples_ms[0]);
    }
  }
  return std::make_pair(StatsOfSamples(std::move(a_ms)), StatsOfSamples(std::move(b_ms)));
}

std::string FormatTimingStats(const TimingStats& s) {
  return absl::StrFormat(
      "Execution time summary:\n"
      " mean (ms)   median (ms)    max (ms)     min (ms)     std (ms)  \n"
      "%10.4f   %10.4f   %10.4f   %10.4f   %10.4f\n",
      s.mean_ms, s.median_ms, s.max_ms, s.min_ms, s.std_ms);
}

absl::Status SetInputs(runtime::GraphExecutor& executor, const NamedArrays& arrays) {
  absl::flat_hash_set<std::string> given;
  for (const auto& [name, array] : arrays) {
    if (!given.insert(name).second) {
      return absl::InvalidArgumentError(absl::StrCat("input '", name, "' is given twice"));
    }
    if (auto st = executor.SetInput(name, array); !st.ok()) return st;
  }
  for (int i = 0; i < executor.num_inputs(); ++i) {
    if (!given.contains(executor.input(i).name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "no value for the model's input '", executor.input(i).name, "' (",
          runtime::DTypeName(executor.input(i).dtype), runtime::ShapeToString(executor.input(i).shape),
          ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status SetRandomInputs(runtime::GraphExecutor& executor, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  for (int i = 0; i < executor.num_inputs(); ++i) {
    const runtime::TensorSlot& slot = executor.input(i);
    auto array = runtime::NDArray::Empty(slot.shape, slot.dtype);
    if (!array.ok()) return array.status();
    if (slot.dtype == runtime::DType::kFloat32) {
      for (int64_t k = 0; k < array->NumElements(); ++k) array->data<float>()[k] = uniform(rng);
    }
    if (auto st = executor.SetInput(i, *array); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::StatusOr<NamedArrays> CollectOutputs(const runtime::GraphExecutor& executor) {
  NamedArrays out;
  for (int i = 0; i < executor.num_outputs(); ++i) {
    auto view = executor.GetOutput(i);
    if (!view.ok()) return view.status();
    auto copy = view->Clone();
    if (!copy.ok()) return copy.status();
    out.emplace_back(executor.output(i).name, *copy);
  }
  return out;
}

absl::StatusOr<NamedArrays> ReadArrays(const std::string& path,
                                       const runtime::GraphExecutor& executor) {
  if (absl::EndsWith(path, ".npy")) {
    if (executor.num_inputs() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, " is a single .npy array but the model has ", executor.num_inputs(),
          " inputs: give an .npz with one array per input name"));
    }
    auto array = runtime::ReadNpyFile(path);
    if (!array.ok()) return array.status();
    return NamedArrays{{executor.input(0).name, *array}};
  }
  return runtime::ReadNpzFile(path);
}

absl::Status WriteArrays(const std::string& path, const NamedArrays& arrays) {
  if (absl::EndsWith(path, ".npy")) {
    if (arrays.size() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the model has ", arrays.size(), " outputs; write them to an .npz, not ", path));
    }
    return runtime::WriteNpyFile(path, arrays[0].second);
  }
  return runtime::WriteNpzFile(path, arrays);
}

// The steps by time (median over `repeat` runs), like TVM's debug executor.
absl::Status PrintProfile(runtime::GraphExecutor& ex, int repeat, std::FILE* out) {
  std::vector<std::vector<double>> runs;
  for (int r = 0; r < repeat; ++r) {
    auto ms = ex.RunProfiled();
    if (!ms.ok()) return ms.status();
    runs.push_back(*ms);
  }
  const std::vector<runtime::PlanStep>& steps = ex.plan().steps;
  std::vector<std::pair<double, size_t>> by_time;
  double total = 0;
  for (size_t i = 0; i < steps.size(); ++i) {
    std::vector<double> samples;
    for (const auto& run : runs) samples.push_back(run[i]);
    std::sort(samples.begin(), samples.end());
    by_time.emplace_back(samples[samples.size() / 2], i);
    total += by_time.back().first;
  }
  std::sort(by_time.rbegin(), by_time.rend());
  std::fprintf(out, "%-5s %-28s %-44s %-22s %9s %6s\n", "step", "kernel", "output", "shape",
               "ms", "%");
  for (const auto& [ms, i] : by_time) {
    const runtime::PlanStep& step = steps[i];
    const runtime::TensorSlot& result = ex.plan().slots[step.args.back()];
    std::fprintf(out, "%-5zu %-28s %-44s %-22s %9.3f %5.1f%%\n", i,
                 step.kind == runtime::PlanStep::Kind::kKernel ? step.kernel.c_str()
                 : step.kind == runtime::PlanStep::Kind::kCopy ? "(copy)"
                                                                : "(check bound input)",
                 result.name.c_str(), runtime::ShapeToString(result.shape).c_str(), ms,
                 100 * ms / total);
  }
  std::fprintf(out, "total %.3f ms over %zu steps\n", total, steps.size());
  return absl::OkStatus();
}

absl::Status SetNumThreads(int num_threads, std::FILE* warnings) {
  if (num_threads == 0) return absl::OkStatus();
  if (auto st = runtime::GlobalThreadPool().SetNumThreads(num_threads); !st.ok()) return st;
  if (const int cores = runtime::AvailableCores(); num_threads > cores) {
    std::fprintf(warnings,
                 "warning: --num_threads=%d is more than the %d cores this process may use; "
                 "threads will take turns and kernels run slower than with %d\n",
                 num_threads, cores, cores);
  }
  return absl::OkStatus();
}

namespace {

std::string SlotList(const runtime::ExecutionPlan& plan, const std::vector<int32_t>& ids) {
  std::vector<std::string> slots;
  for (int32_t id : ids) {
    const runtime::TensorSlot& slot = plan.slots[id];
    slots.push_back(absl::StrCat(slot.name, " ", runtime::DTypeName(slot.dtype),
                                 runtime::ShapeToString(slot.shape)));
  }
  return absl::StrJoin(slots, ", ");
}

}  // namespace

absl::Status RunArtifact(const std::string& path, const RunOptions& options, std::FILE* out) {
  if (auto st = SetNumThreads(options.num_threads, stderr); !st.ok()) return st;
  // The same loader and run state as the C interface (runtime/kiln_runtime.h).
  auto model = runtime::LoadedModel::Load(path);
  if (!model.ok()) return model.status();
  if (options.verbose) {
    // The format keeps no model name: the artifact is named for its model.
    const std::string name = std::filesystem::path(path).stem().string();
    const runtime::ExecutionPlan& plan = (*model)->plan();
    const std::string& features = (*model)->required_features();
    std::fprintf(out,
                 "loaded %s: model %s, artifact format version %u, %zu kernel calls, "
                 "%.2f MB of parameters, %.2f MB of intermediates\n"
                 "  kernels need the CPU features: %s\n  inputs: %s\n  outputs: %s\n",
                 path.c_str(), name.c_str(), (*model)->format_version(), plan.steps.size(),
                 plan.Constants().size() / 1e6, plan.arena_bytes / 1e6,
                 features.empty() ? "(none beyond x86-64)" : features.c_str(),
                 SlotList(plan, plan.inputs).c_str(), SlotList(plan, plan.outputs).c_str());
  }
  auto executor = (*model)->NewRun();
  if (!executor.ok()) return executor.status();
  return RunExecutor(**executor, options, out);
}

absl::Status RunExecutor(runtime::GraphExecutor& ex, const RunOptions& options, std::FILE* out) {
  if (options.inputs.empty()) {
    if (auto st = SetRandomInputs(ex, options.seed); !st.ok()) return st;
  } else {
    auto arrays = ReadArrays(options.inputs, ex);
    if (!arrays.ok()) return arrays.status();
    if (auto st = SetInputs(ex, *arrays); !st.ok()) {
      return absl::Status(st.code(), absl::StrCat(options.inputs, ": ", st.message()));
    }
  }
  if (options.print_time) {
    auto stats = TimeRuns([&] { return ex.Run(); }, options.repeat, options.number);
    if (!stats.ok()) return stats.status();
    std::fprintf(out, "%s", FormatTimingStats(*stats).c_str());
  } else if (auto st = ex.Run(); !st.ok()) {
    return st;
  }
  if (options.profile) {
    if (auto st = PrintProfile(ex, std::max(options.repeat, 1), out); !st.ok()) return st;
  }
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  std::fprintf(out,
               "Memory: %.2f MB for intermediates (one arena), %.2f MB held by the model, "
               "%.2f MB peak resident\n",
               ex.arena_bytes() / 1e6, ex.total_bytes() / 1e6, usage.ru_maxrss / 1e3);
  if (!options.outputs.empty()) {
    auto outputs = CollectOutputs(ex);
    if (!outputs.ok()) return outputs.status();
    if (auto st = WriteArrays(options.outputs, *outputs); !st.ok()) return st;
  }
  return absl::OkStatus();
}

}  // namespace kiln::driver

// The AutoTVM tutorial's workflow for ResNet-50 v2, in C++: compile untuned,
// time, extract tuning tasks, tune them with a search strategy, recompile with
// the best records, check the tuned kernels compute what the untuned ones do,
// and compare.
//
// Today it covers the network's 53 convolutions (23 distinct workloads, 99.95%
// of its FLOPs). Importing the ONNX model itself, the image and the top-5
// classes come with the frontend and the graph executor.
//
//   bazel run //examples:resnet50_tune -- --tuner=xgb --trials=20
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "codegen/jit.h"
#include "gflags/gflags.h"
#include "glog/logging.h"
#include "ir/ops/conv2d_nchwc_task.h"
#include "ir/ops/resnet50_convs.h"
#include "targets/target_parser.h"
#include "tuners/kernel_measure.h"
#include "tuners/log_to_file.h"
#include "tuners/progress_bar.h"
#include "tuners/records.h"
#include "tuners/tune_loop.h"
#include "tuners/tuner.h"

DEFINE_string(target, "llvm -mcpu=native", "target to compile for");
DEFINE_string(tuner, "xgb", "search strategy (see tuners/README or `kiln list tuners`)");
DEFINE_int32(trials, 20, "measurements per task, as in the tutorial");
DEFINE_int32(early_stopping, 0, "stop a task after this many trials without improvement");
DEFINE_string(records, "resnet50-v2-tuning.json",
              "tuning records; an existing file is resumed (relative paths are taken from "
              "the directory bazel run was called in)");
DEFINE_int32(tasks, 0, "tune only the first N tasks (0: all)");
DEFINE_uint64(seed, 0, "seed of the search");

namespace kiln::examples {
namespace {

using ir::ops::Conv2dWorkload;

std::string ResolvePath(const std::string& path) {
  const char* cwd = std::getenv("BUILD_WORKING_DIRECTORY");
  if (path.empty() || path[0] == '/' || cwd == nullptr) return path;
  return std::string(cwd) + "/" + path;
}

struct Stats {
  double mean_ms, median_ms, std_ms;
};

// Like the tutorial: 10 repeats of 10 runs each.
Stats TimeKernel(codegen::KernelFunction kernel, std::vector<std::vector<float>>& buffers) {
  std::vector<void*> args;
  for (auto& b : buffers) args.push_back(b.data());
  kernel(args.data());
  std::vector<double> ms;
  for (int r = 0; r < 10; ++r) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 10; ++i) kernel(args.data());
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                           start)
                     .count() /
                 10);
  }
  std::sort(ms.begin(), ms.end());
  double mean = 0, var = 0;
  for (double x : ms) mean += x / ms.size();
  for (double x : ms) var += (x - mean) * (x - mean) / ms.size();
  return {mean, (ms[4] + ms[5]) / 2, std::sqrt(var)};
}

struct Compiled {
  std::unique_ptr<codegen::JitModule> module;
  codegen::KernelFunction kernel;
  std::vector<std::vector<float>> buffers;
};

absl::StatusOr<Compiled> Build(const Conv2dWorkload& w, const tuners::Config& config,
                               const targets::Target& target) {
  ir::ops::KernelHarness harness = ir::ops::Conv2dNCHWcHarness(w);
  auto f = harness.build(config);
  if (!f.ok()) return f.status();
  auto module = codegen::JitModule::Compile({*f}, target);
  if (!module.ok()) return module.status();
  auto kernel = (*module)->Lookup(f->name);
  if (!kernel.ok()) return kernel.status();
  auto buffers = harness.make_buffers(config);
  if (!buffers.ok()) return buffers.status();
  return Compiled{*std::move(module), *kernel, *std::move(buffers)};
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "error: %s\n", std::string(status.message()).c_str());
  return 1;
}

int Main() {
  if (auto st = tuners::TunerRegistry().status(); !st.ok()) return Fail(st);
  auto target = targets::ParseTarget(FLAGS_target);
  if (!target.ok()) return Fail(target.status());
  if (auto st = targets::CheckHostCanRun(*target); !st.ok()) return Fail(st);
  if (!tuners::TunerRegistry().Find(FLAGS_tuner).ok()) {
    return Fail(tuners::TunerRegistry().Find(FLAGS_tuner).status());
  }
  const std::string records = ResolvePath(FLAGS_records);
  std::printf("ResNet-50 v2, batch 1, target \"%s\"\n", target->ToString().c_str());
  std::printf("Model: the 53 convolutions of resnet50-v2-7 (23 distinct workloads); ONNX import "
              "is not available yet, so the network's layers are taken from its topology.\n\n");

  // 1. Extract the tasks.
  std::vector<ir::ops::CountedConv> convs = ir::ops::ResNet50V2Convs();
  if (FLAGS_tasks > 0 && FLAGS_tasks < static_cast<int>(convs.size())) convs.resize(FLAGS_tasks);
  std::vector<tuners::TuningTask> tasks;
  std::vector<tuners::Config> defaults;
  for (const auto& c : convs) {
    auto task = ir::ops::MakeConv2dNCHWcTask(c.workload, *target);
    if (!task.ok()) return Fail(task.status());
    auto config = ir::ops::DefaultConv2dNCHWcTaskConfig(*task, c.workload, *target);
    if (!config.ok()) return Fail(config.status());
    tasks.push_back(*std::move(task));
    defaults.push_back(*config);
  }
  std::printf("Extracted %zu tasks.\n\n", tasks.size());

  // 2. Untuned: the analytical default schedules.
  std::vector<Stats> untuned;
  double untuned_total = 0;
  for (size_t k = 0; k < tasks.size(); ++k) {
    auto compiled = Build(convs[k].workload, defaults[k], *target);
    if (!compiled.ok()) return Fail(compiled.status());
    untuned.push_back(TimeKernel(compiled->kernel, compiled->buffers));
    untuned_total += convs[k].count * untuned.back().median_ms;
  }
  std::printf("Untuned: all convolutions %.2f ms per inference (sum of medians).\n\n",
              untuned_total);

  // 3. Tune each task; records are appended as measured, so an interrupted
  // run resumes where it stopped.
  auto log = tuners::LogToFile(records);
  if (!log.ok()) return Fail(log.status());
  tuners::MeasureOption option;
  option.number = 1;
  option.repeat = 3;
  option.min_repeat_ms = 50;
  const auto tune_start = std::chrono::steady_clock::now();
  for (size_t k = 0; k < tasks.size(); ++k) {
    auto measure = tuners::MakeKernelMeasure(ir::ops::Conv2dNCHWcHarness(convs[k].workload),
                                             *target, option, defaults[k]);
    if (!measure.ok()) return Fail(measure.status());
    tuners::TuneOptions options;
    options.n_trial = std::min<int64_t>(FLAGS_trials, tasks[k].space.size());
    options.early_stopping = FLAGS_early_stopping;
    options.batch_size = 8;
    options.seed = FLAGS_seed;
    options.resume_from = records;
    tuners::ProgressBarOptions bar;
    bar.task_index = k + 1;
    bar.task_count = tasks.size();
    bar.out = stdout;
    auto summary = tuners::Tune(tasks[k], FLAGS_tuner, tuners::TunerOptions{}, options, *measure,
                                {tuners::ProgressBar(bar), *log});
    if (!summary.ok()) return Fail(summary.status());
  }
  const double tune_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - tune_start).count();

  // 4. Recompile with the best records; never slower than the default.
  auto history = tuners::ApplyHistoryBest(records);
  if (!history.ok()) return Fail(history.status());
  double tuned_total = 0;
  std::printf("\n%-40s %10s %10s %8s\n", "layer", "untuned ms", "tuned ms", "speedup");
  for (size_t k = 0; k < tasks.size(); ++k) {
    const Conv2dWorkload& w = convs[k].workload;
    tuners::Config best = defaults[k];
    if (auto found = history->BestConfig(tasks[k]); found.ok()) {
      best = *found;
    } else {
      LOG(WARNING) << "no tuning record for " << w.ToString() << "; using the default schedule";
    }
    auto tuned = Build(w, best, *target);
    auto baseline = Build(w, defaults[k], *target);
    if (!tuned.ok()) return Fail(tuned.status());
    if (!baseline.ok()) return Fail(baseline.status());
    // The tuned kernel must compute what the untuned one does.
    std::vector<void*> a, b;
    for (auto& x : tuned->buffers) a.push_back(x.data());
    for (auto& x : baseline->buffers) b.push_back(x.data());
    tuned->kernel(a.data());
    baseline->kernel(b.data());
    ir::ops::KernelHarness harness = ir::ops::Conv2dNCHWcHarness(w);
    auto out_tuned = harness.canonical_output(best, tuned->buffers.back());
    auto out_base = harness.canonical_output(defaults[k], baseline->buffers.back());
    double max_diff = 0, max_abs = 0;
    for (size_t i = 0; i < out_base->size(); ++i) {
      max_diff = std::max<double>(max_diff, std::fabs((*out_tuned)[i] - (*out_base)[i]));
      max_abs = std::max<double>(max_abs, std::fabs((*out_base)[i]));
    }
    if (max_diff > 1e-4 * (1 + max_abs)) {
      return Fail(absl::InternalError(absl::StrCat("tuned ", w.ToString(), " differs from untuned by ",
                                                   max_diff)));
    }
    Stats t = TimeKernel(tuned->kernel, tuned->buffers);
    // Keep the default when tuning found nothing faster.
    const double ms = std::min(t.median_ms, untuned[k].median_ms);
    tuned_total += convs[k].count * ms;
    std::printf("%-40s %10.3f %10.3f %7.2fx\n",
                absl::StrFormat("%dx%d %d->%d @%d s%d (x%d)", w.kernel_h, w.kernel_w,
                                w.in_channels, w.out_channels, w.height, w.stride_h,
                                convs[k].count)
                    .c_str(),
                untuned[k].median_ms, ms, untuned[k].median_ms / ms);
  }
  std::printf("\nOutputs of tuned and untuned kernels match.\n");
  std::printf("All convolutions per inference: unoptimized %.2f ms, optimized %.2f ms "
              "(%.2fx), tuning took %.0f s; records in %s\n",
              untuned_total, tuned_total, untuned_total / tuned_total, tune_seconds,
              records.c_str());
  return 0;
}

}  // namespace
}  // namespace kiln::examples

int main(int argc, char** argv) {
  gflags::SetUsageMessage("tune ResNet-50 v2's convolutions for this CPU");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;
  return kiln::examples::Main();
}

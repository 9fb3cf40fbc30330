// Does model-guided search pay off? On a ResNet-50 3x3 and 1x1 convolution,
// `xgb` with --xgb_trials is compared with the best config --random_trials
// of `random` find, with the measurement loop's trials per second and the
// tuning wall time.
//   bazel run //bench:tuner_quality -- [--xgb_trials=64 --random_trials=512]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gflags/gflags.h"
#include "glog/logging.h"
#include "ir/ops/conv2d_nchwc_template.h"
#include "targets/target_parser.h"
#include "tuners/kernel_measure.h"
#include "tuners/tune_loop.h"
#include "tuners/tuner.h"

DEFINE_string(target, "llvm -mcpu=native", "target to tune for");
DEFINE_int32(xgb_trials, 64, "trials of the xgb tuner");
DEFINE_int32(random_trials, 512, "trials of the random tuner (the reference)");
DEFINE_uint64(seed, 1, "seed of both searches");

namespace kiln::bench {
namespace {

struct Run {
  double best_gflops = 0;  // as measured during the search
  double seconds = 0;
  int measured = 0;
  std::optional<tuning::Config> best;
};

absl::StatusOr<Run> TuneWith(const std::string& tuner, int trials,
                             const ir::ops::Conv2dWorkload& w, const targets::Target& target) {
  auto task = ir::ops::MakeConv2dNCHWcTask(w, target);
  if (!task.ok()) return task.status();
  auto reference =
      ir::ops::Conv2dNCHWcTaskConfig(*task, ir::ops::DefaultConv2dNCHWcConfig(w, target));
  if (!reference.ok()) return reference.status();
  tuners::MeasureOption option;
  option.repeat = 3;
  option.min_repeat_ms = 20;
  auto measure = tuners::MakeKernelMeasure(ir::ops::Conv2dNCHWcHarness(w), target, option,
                                           *reference);
  if (!measure.ok()) return measure.status();
  tuners::TuneOptions options;
  options.n_trial = trials;
  options.batch_size = 8;
  options.seed = FLAGS_seed;
  const auto start = std::chrono::steady_clock::now();
  auto summary = tuners::Tune(*task, tuner, tuners::TunerOptions{}, options, *measure);
  if (!summary.ok()) return summary.status();
  Run run;
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.best_gflops = summary->state.best_throughput * 1e-9;
  run.measured = summary->measured;
  run.best = summary->state.best_config;
  return run;
}

// The best of many noisy measurements is biased upwards, and more so for
// 512 trials than for 64: both winners are measured again, alternately,
// and compared by their medians.
absl::StatusOr<std::pair<double, double>> Remeasure(const tuning::Config& a,
                                                    const tuning::Config& b,
                                                    const ir::ops::Conv2dWorkload& w,
                                                    const targets::Target& target) {
  auto task = ir::ops::MakeConv2dNCHWcTask(w, target);
  if (!task.ok()) return task.status();
  tuners::MeasureOption option;
  option.repeat = 3;
  option.min_repeat_ms = 20;
  auto measure = tuners::MakeKernelMeasure(ir::ops::Conv2dNCHWcHarness(w), target, option, a);
  if (!measure.ok()) return measure.status();
  std::vector<double> ga, gb;
  for (int round = 0; round < 7; ++round) {
    auto results = (*measure)({{&*task, a}, {&*task, b}});
    if (!results.ok()) return results.status();
    ga.push_back(tuners::Throughput(task->flop, (*results)[0]) * 1e-9);
    gb.push_back(tuners::Throughput(task->flop, (*results)[1]) * 1e-9);
  }
  std::sort(ga.begin(), ga.end());
  std::sort(gb.begin(), gb.end());
  return std::make_pair(ga[ga.size() / 2], gb[gb.size() / 2]);
}

int Main() {
  auto target = targets::ParseTarget(FLAGS_target);
  if (!target.ok()) {
    std::fprintf(stderr, "%s\n", std::string(target.status().message()).c_str());
    return 1;
  }
  ir::ops::Conv2dWorkload conv3x3, conv1x1;
  conv3x3.in_channels = 128, conv3x3.height = conv3x3.width = 28, conv3x3.out_channels = 128;
  conv3x3.kernel_h = conv3x3.kernel_w = 3, conv3x3.pad_h = conv3x3.pad_w = 1;
  conv1x1.in_channels = 256, conv1x1.height = conv1x1.width = 56, conv1x1.out_channels = 64;
  conv1x1.kernel_h = conv1x1.kernel_w = 1;
  std::printf("%-28s %-8s %7s %10s %10s %12s\n", "workload", "tuner", "trials", "GFLOPS",
              "seconds", "trials/s");
  for (const auto& w : {conv3x3, conv1x1}) {
    double gflops[2] = {0, 0};
    std::optional<tuning::Config> best[2];
    int k = 0;
    for (const auto& [tuner, trials] :
         std::vector<std::pair<std::string, int>>{{"xgb", FLAGS_xgb_trials},
                                                  {"random", FLAGS_random_trials}}) {
      auto run = TuneWith(tuner, trials, w, *target);
      if (!run.ok()) {
        std::fprintf(stderr, "%s\n", std::string(run.status().message()).c_str());
        return 1;
      }
      best[k] = run->best;
      gflops[k++] = run->best_gflops;
      std::printf("%-28s %-8s %7d %10.1f %10.1f %12.1f\n",
                  absl::StrCat(w.kernel_h, "x", w.kernel_w, " ", w.in_channels, "->",
                               w.out_channels, " @", w.height)
                      .c_str(),
                  tuner.c_str(), run->measured, run->best_gflops, run->seconds,
                  run->measured / run->seconds);
    }
    if (!best[0] || !best[1]) {
      std::fprintf(stderr, "a tuner found no valid config\n");
      return 1;
    }
    auto again = Remeasure(*best[0], *best[1], w, *target);
    if (!again.ok()) {
      std::fprintf(stderr, "%s\n", std::string(again.status().message()).c_str());
      return 1;
    }
    std::printf("  best found: xgb / random = %.3f; both measured again 7 times, medians "
                "%.1f / %.1f GFLOPS = %.3f (bar: >= 0.90)\n",
                gflops[0] / gflops[1], again->first, again->second, again->first / again->second);
  }
  return 0;
}

}  // namespace
}  // namespace kiln::bench

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  google::InitGoogleLogging(argv[0]);
  return kiln::bench::Main();
}

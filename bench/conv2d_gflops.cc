// GFLOPS of kiln's conv2d_NCHWc and dense kernels on the ResNet-50 layer shapes with
// default (untuned) schedules, against this CPU's measured FMA peak.
//   bazel run //bench:conv2d_gflops -- [--target="llvm -mcpu=native"] [--threads=1]
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "bench/kernel_bench.h"
#include "codegen/jit.h"
#include "gflags/gflags.h"
#include "glog/logging.h"
#include "ir/ops/conv2d_nchwc.h"
#include "ir/ops/conv2d_winograd.h"
#include "ir/ops/dense.h"
#include "ir/ops/resnet50_convs.h"
#include "runtime/aligned_memory.h"

DEFINE_string(target, "llvm -mcpu=native", "target to compile for");
DEFINE_int32(threads, 1, "threads the kernels run on");

namespace kiln::bench {
namespace {

using ir::ops::Conv2dWorkload;

// The same layer by Winograd with its default schedule (the direct one's
// blocks); 0 when the default is not Winograd.
double WinogradSeconds(const Conv2dWorkload& w, const ir::ops::Conv2dNCHWcConfig& direct,
                       const targets::Target& target) {
  ir::ops::Conv2dNCHWcConfig c = ir::ops::DefaultConv2dNCHWcConfig(w, target);
  if (c.winograd_tile == 0 || c.oc_bn != direct.oc_bn) return 0;
  auto f = ir::ops::BuildConv2dWinogradNCHWc(w, c, "winograd");
  if (!f.ok()) return 0;
  auto module = codegen::JitModule::Compile({*f}, target);
  if (!module.ok()) return 0;
  auto kernel = *(*module)->Lookup("winograd");
  std::vector<float> data(w.batch * w.in_channels * w.height * w.width, 0.5f);
  const int64_t alpha = c.winograd_tile + 2;
  std::vector<float> weight(alpha * alpha * w.out_channels * w.in_channels, 0.25f);
  std::vector<float> out(w.batch * w.out_channels * w.out_height() * w.out_width());
  void* args[] = {data.data(), weight.data(), out.data()};
  return MedianSeconds(kernel, args, 5);
}

int Main() {
  auto bench = StartKernelBench(FLAGS_target, FLAGS_threads);
  if (!bench.ok()) {
    std::fprintf(stderr, "%s\n", std::string(bench.status().message()).c_str());
    return 1;
  }
  const targets::Target* target = &bench->target;
  const double peak = bench->peak_gflops;
  std::printf("%-48s %8s %9s %10s\n", "layer (default direct schedule)", "ms", "GFLOPS", "% 1-core");
  double total_flop = 0, total_seconds = 0, winograd_seconds = 0;
  for (const ir::ops::CountedConv& counted : ir::ops::ResNet50V2Convs()) {
    const Conv2dWorkload& w = counted.workload;
    const auto config = ir::ops::DefaultDirectConv2dNCHWcConfig(w, *target);
    auto f = ir::ops::BuildConv2dNCHWc(w, config, "conv");
    if (!f.ok()) {
      std::printf("%s: %s\n", w.ToString().c_str(), std::string(f.status().message()).c_str());
      continue;
    }
    auto module = codegen::JitModule::Compile({*f}, *target);
    if (!module.ok()) {
      std::printf("%s: %s\n", w.ToString().c_str(),
                  std::string(module.status().message()).c_str());
      continue;
    }
    auto kernel = *(*module)->Lookup("conv");
    const int64_t data_n = w.batch * w.in_channels * w.height * w.width;
    const int64_t weight_n = w.out_channels * w.in_channels * w.kernel_h * w.kernel_w;
    const int64_t out_n = w.batch * w.out_channels * w.out_height() * w.out_width();
    std::vector<float> data(data_n, 0.5f), weight(weight_n, 0.25f), out(out_n);
    void* args[] = {data.data(), weight.data(), out.data()};
    const double median = MedianSeconds(kernel, args, 5);
    const double gflops = w.flop() / median * 1e-9;
    total_flop += counted.count * w.flop();
    total_seconds += counted.count * median;
    std::printf("%-48s %8.3f %9.1f %9.0f%%",
                absl::StrFormat("%dx%d %d->%d @%d s%d", w.kernel_h, w.kernel_w, w.in_channels,
                                w.out_channels, w.height, w.stride_h)
                    .c_str(),
                median * 1e3, gflops, 100.0 * gflops / peak);
    const double winograd = ir::ops::WinogradApplies(w) ? WinogradSeconds(w, config, *target) : 0;
    if (winograd > 0) {
      std::printf("  winograd %7.3f ms (%.2fx)", winograd * 1e3, median / winograd);
    }
    winograd_seconds += counted.count * (winograd > 0 ? std::min(winograd, median) : median);
    std::printf("\n");
  }
  // The classifier: dense 2048 -> 1000 at batch 1 (bound by reading weights).
  {
    ir::ops::DenseWorkload d{1, 1000, 2048, true, ir::ops::Activation::kNone};
    auto f = ir::ops::BuildDense(d, ir::ops::DefaultDenseConfig(d, *target), *target, "dense");
    auto module = f.ok() ? codegen::JitModule::Compile({*f}, *target)
                         : absl::StatusOr<std::unique_ptr<codegen::JitModule>>(f.status());
    if (module.ok()) {
      auto kernel = *(*module)->Lookup("dense");
      std::vector<float> x(2048, 0.5f), wt(2048 * 1000, 0.25f), b(1000), y(1000);
      void* args[] = {x.data(), wt.data(), b.data(), y.data()};
      const double median = MedianSeconds(kernel, args, 20);
      const double gflops = 2.0 * 2048 * 1000 / median * 1e-9;
      std::printf("%-48s %8.3f %9.1f %9.0f%%\n", "dense 2048->1000", median * 1e3, gflops,
                  100.0 * gflops / peak);
    }
  }
  const double overall = total_flop / total_seconds * 1e-9;
  std::printf("\nall 53 convolutions of ResNet-50 v2: %.1f ms, %.1f GFLOPS (%.0f%% of one-core peak)\n",
              total_seconds * 1e3, overall,
              100.0 * overall / peak);
  std::printf("with the default Winograd on 3x3 stride-1 layers, where faster: %.1f ms (%.0f%% of one-core peak "
              "in direct-convolution FLOPs)\n",
              winograd_seconds * 1e3, 100.0 * total_flop / winograd_seconds * 1e-9 / peak);
  return 0;
}

}  // namespace
}  // namespace kiln::bench

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  google::InitGoogleLogging(argv[0]);
  return kiln::bench::Main();
}

// GFLOPS of kiln's compiled matmul (numpy batch broadcasting, Gemm's
// options) on transformer shapes, against this CPU's measured FMA peak and,
// for products by a weight, against the packed dense kernel of the same size.
//   bazel run //bench:matmul_gflops -- [--target="llvm -mcpu=native"] [--threads=1]
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "bench/kernel_bench.h"
#include "codegen/jit.h"
#include "gflags/gflags.h"
#include "glog/logging.h"
#include "ir/ops/dense.h"

DEFINE_string(target, "llvm -mcpu=native", "target to compile for");
DEFINE_int32(threads, 1, "threads the kernels run on");

namespace kiln::bench {
namespace {

int64_t Product(const std::vector<int64_t>& v) {
  int64_t p = 1;
  for (int64_t e : v) p *= e;
  return p;
}

// Seconds per run of the matmul kernel of `w`, or 0 when it does not build.
double MatmulSeconds(const ir::ops::MatmulWorkload& w, const targets::Target& target) {
  auto f = ir::ops::BuildMatmul(w, target, "matmul");
  if (!f.ok()) {
    std::printf("%s\n", std::string(f.status().message()).c_str());
    return 0;
  }
  auto module = codegen::JitModule::Compile({*f}, target);
  if (!module.ok()) return 0;
  auto kernel = *(*module)->Lookup("matmul");
  std::vector<float> a(Product(w.a_batch) * w.m * w.k, 0.5f),
      b(Product(w.b_batch) * w.k * w.n, 0.25f), c(w.has_c ? Product(w.c_shape) : 1, 1.0f),
      out(Product(w.batch) * w.m * w.n);
  std::vector<void*> args = {a.data(), b.data()};
  if (w.has_c) args.push_back(c.data());
  args.push_back(out.data());
  return MedianSeconds(kernel, args.data(), 5);
}

double DenseSeconds(int64_t m, int64_t k, int64_t n, const targets::Target& target) {
  ir::ops::DenseWorkload d{m, n, k, false, ir::ops::Activation::kNone};
  auto f = ir::ops::BuildDense(d, ir::ops::DefaultDenseConfig(d, target), target, "dense");
  if (!f.ok()) return 0;
  auto module = codegen::JitModule::Compile({*f}, target);
  if (!module.ok()) return 0;
  auto kernel = *(*module)->Lookup("dense");
  std::vector<float> x(m * k, 0.5f), wt(k * n, 0.25f), y(m * n);
  void* args[] = {x.data(), wt.data(), y.data()};
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
  std::printf("%-44s %8s %9s %10s %s\n", "product", "ms", "GFLOPS", "% 1-core", "dense (packed)");
  struct Case {
    const char* name;
    std::vector<int64_t> a, b;
    bool trans_b = false;
  };
  const std::vector<Case> cases = {
      {"scores [1,12,128,64] x [1,12,64,128]", {1, 12, 128, 64}, {1, 12, 64, 128}},
      {"context [1,12,128,128] x [1,12,128,64]", {1, 12, 128, 128}, {1, 12, 128, 64}},
      {"scores, K^T read transposed (gemm transB)", {128, 64}, {128, 64}, true},
      {"projection [1,128,768] x [768,768]", {1, 128, 768}, {768, 768}},
      {"ffn [1,128,768] x [768,3072]", {1, 128, 768}, {768, 3072}},
      {"broadcast A [128,64] x [12,64,128]", {128, 64}, {12, 64, 128}},
      {"vector [768] x [768,768]", {768}, {768, 768}},
  };
  for (const Case& c : cases) {
    ir::ops::MatmulWorkload w;
    if (c.trans_b) {
      w.m = c.a[0];
      w.k = c.a[1];
      w.n = c.b[0];
      w.trans_b = true;
    } else {
      auto numpy = ir::ops::NumpyMatmulWorkload(c.a, c.b);
      if (!numpy.ok()) continue;
      w = *numpy;
    }
    const double seconds = MatmulSeconds(w, *target);
    if (seconds == 0) continue;
    const double flop = 2.0 * Product(w.batch) * w.m * w.n * w.k;
    const double gflops = flop / seconds * 1e-9;
    std::printf("%-44s %8.3f %9.1f %9.0f%%", c.name, seconds * 1e3, gflops, 100.0 * gflops / peak);
    if (Product(w.b_batch) == 1 && !c.trans_b) {
      const double dense = DenseSeconds(Product(w.batch) * w.m, w.k, w.n, *target);
      if (dense > 0) std::printf("  %7.3f ms (%.2fx)", dense * 1e3, seconds / dense);
    }
    std::printf("\n");
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

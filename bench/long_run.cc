// Long runs stay flat: one artifact loaded once and run N times (default
// 100,000) in one process, with fresh inputs every run and the outputs
// read back, as a server would. Prints the resident memory after the first
// run and at each tenth of the runs, and the growth from the first tenth to
// the end, which should be zero pages: the executor allocates nothing per
// run, and kernels' scratch comes from a pool that keeps its blocks.
//
//   bazel run -c opt //bench:long_run -- model.so [--runs=100000]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "runtime/artifact.h"

namespace {

// Resident set size in KiB, from /proc/self/statm (in pages).
long ResidentKiB() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "long_run: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Fail("usage: long_run model.so [--runs=N]");
  long runs = 100000;
  for (int i = 2; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (!absl::ConsumePrefix(&arg, "--runs=") || !absl::SimpleAtoi(arg, &runs) || runs < 10) {
      return Fail("expected --runs=N with N >= 10, got " + std::string(argv[i]));
    }
  }
  auto artifact = kiln::runtime::LoadArtifact(argv[1]);
  if (!artifact.ok()) return Fail(std::string(artifact.status().message()));
  auto executor = kiln::runtime::CreateExecutor(*artifact);
  if (!executor.ok()) return Fail(std::string(executor.status().message()));
  kiln::runtime::GraphExecutor& ex = **executor;

  std::vector<kiln::runtime::NDArray> inputs;
  for (int i = 0; i < ex.num_inputs(); ++i) {
    auto array = kiln::runtime::NDArray::Empty(ex.input(i).shape, ex.input(i).dtype);
    if (!array.ok()) return Fail(std::string(array.status().message()));
    inputs.push_back(*array);
  }
  const auto start = std::chrono::steady_clock::now();
  long first_tenth_kib = 0, after_first_kib = 0;
  double checksum = 0;
  for (long run = 0; run < runs; ++run) {
    for (int i = 0; i < ex.num_inputs(); ++i) {
      // Different bytes every run, as real requests are.
      auto* bytes = static_cast<unsigned char*>(inputs[i].raw_data());
      bytes[run % inputs[i].NumBytes()] ^= 1;
      if (auto st = ex.SetInput(i, inputs[i]); !st.ok()) return Fail(std::string(st.message()));
    }
    if (auto st = ex.Run(); !st.ok()) return Fail(std::string(st.message()));
    for (int o = 0; o < ex.num_outputs(); ++o) {
      auto out = ex.GetOutput(o);
      if (!out.ok()) return Fail(std::string(out.status().message()));
      checksum += static_cast<const unsigned char*>(out->raw_data())[0];
    }
    if (run == 0) {
      after_first_kib = ResidentKiB();
      std::printf("%8s %12s %10s\n", "runs", "RSS (KiB)", "seconds");
      std::printf("%8d %12ld %10.1f\n", 1, after_first_kib, 0.0);
    }
    if ((run + 1) % (runs / 10) == 0) {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const long kib = ResidentKiB();
      if (run + 1 == runs / 10) first_tenth_kib = kib;
      std::printf("%8ld %12ld %10.1f\n", run + 1, kib, seconds);
      std::fflush(stdout);
    }
  }
  const long growth = ResidentKiB() - first_tenth_kib;
  std::printf("RSS growth from run %ld to run %ld: %ld KiB (%.3f bytes per run); after the "
              "first run: %ld KiB (checksum %.0f)\n",
              runs / 10, runs, growth, growth * 1024.0 / (runs - runs / 10),
              ResidentKiB() - after_first_kib, checksum);
  return 0;
}

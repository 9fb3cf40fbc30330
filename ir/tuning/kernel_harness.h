// What measuring a candidate kernel of an operator needs, independent of how
// it is compiled: the kernel for a config, buffers to run it on, and its
// output in a layout every config agrees on (so candidates can be checked
// against each other).
#ifndef KILN_IR_TUNING_KERNEL_HARNESS_H_
#define KILN_IR_TUNING_KERNEL_HARNESS_H_

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/stmt.h"
#include "ir/tuning/config_space.h"

namespace kiln::tuning {

// Seeded values in [-1, 1) for a harness's buffers, so that every config of
// a task runs on the same data.
class HarnessValues {
 public:
  explicit HarnessValues(uint32_t seed) : rng_(seed) {}
  std::vector<float> Next(int64_t n) {
    std::vector<float> v(n);
    for (float& x : v) x = dist_(rng_);
    return v;
  }

 private:
  std::mt19937 rng_;
  std::uniform_real_distribution<float> dist_{-1.0f, 1.0f};
};

struct KernelHarness {
  std::function<absl::StatusOr<ir::LoweredFunc>(const Config&)> build;
  // Inputs then the output, filled with the same data for every config.
  std::function<absl::StatusOr<std::vector<std::vector<float>>>(const Config&)> make_buffers;
  std::function<absl::StatusOr<std::vector<float>>(const Config&, const std::vector<float>& output)>
      canonical_output;
  // The buffer of make_buffers that holds weights. Timing with cache
  // flushes leaves it cold, as a model streams its weights from memory, and
  // reads every other buffer back into cache: a model's activations live in
  // a few MB of arena that its kernels keep in the caches. -1: every input
  // is an activation.
  int weight_buffer = 1;
};

}  // namespace kiln::tuning

#endif  // KILN_IR_TUNING_KERNEL_HARNESS_H_

// What measuring a candidate kernel of an operator needs, independent of how
// it is compiled: the kernel for a config, buffers to run it on, and its
// output in a layout every config agrees on (so candidates can be checked
// against each other).
#ifndef KILN_IR_TUNING_KERNEL_HARNESS_H_
#define KILN_IR_TUNING_KERNEL_HARNESS_H_

#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/stmt.h"
#include "ir/tuning/config_space.h"

namespace kiln::tuning {

struct KernelHarness {
  std::function<absl::StatusOr<ir::LoweredFunc>(const Config&)> build;
  // Inputs then the output, filled with the same data for every config.
  std::function<absl::StatusOr<std::vector<std::vector<float>>>(const Config&)> make_buffers;
  std::function<absl::StatusOr<std::vector<float>>(const Config&, const std::vector<float>& output)>
      canonical_output;
  // The buffer of make_buffers that holds weights. Timing with cache
  // flushes leaves it cold, as a model streams its weights from memory, and
  // reads every other buffer back into cache: a model's activations live in
  // a few MB of arena that its kernels keep in the caches.
  int weight_buffer = 1;
};

}  // namespace kiln::tuning

#endif  // KILN_IR_TUNING_KERNEL_HARNESS_H_

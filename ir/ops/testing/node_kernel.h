// One graph node's compiled kernel run on typed arrays, for tests that hold
// it against the node's reference implementation (graph::EvaluateNode),
// with every buffer between guard bytes so that a write outside it, or into
// an input, is seen.
#ifndef KILN_IR_OPS_TESTING_NODE_KERNEL_H_
#define KILN_IR_OPS_TESTING_NODE_KERNEL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/graph/graph.h"
#include "targets/target.h"

namespace kiln::ir::ops::testing {

// An array of type `t` holding `values` in row-major order (repeated when
// there are fewer), stored as the references store doubles.
graph::NDArray ArrayOf(runtime::DType t, const std::vector<int64_t>& shape,
                       const std::vector<double>& values);

// Seeded integers in [lo, hi], each divided by `scale` (2 gives float types
// halves, and ties; keep it 1 for integer types).
graph::NDArray RandomArray(runtime::DType t, const std::vector<int64_t>& shape, uint32_t seed,
                           int64_t lo, int64_t hi, double scale = 1);

// Lowers `node` through its registered lowering for inputs of these arrays'
// shapes and types (the outputs' from the operator's type inference),
// compiles it for `target` and runs it. An error also when the kernel wrote
// outside its output buffers.
absl::StatusOr<std::vector<graph::NDArray>> RunNodeKernel(const graph::Node& node,
                                                          const std::vector<graph::NDArray>& inputs,
                                                          const targets::Target& target);

// The node's outputs from the reference and from the kernel on each target
// must be equal, element for element (NaN equals NaN): for kernels that
// compute each result as exactly as the reference stores it. `targets`:
// every runnable one when empty.
void ExpectKernelMatchesReference(const graph::Node& node,
                                  const std::vector<graph::NDArray>& inputs,
                                  const std::string& what,
                                  std::vector<targets::Target> targets = {});

}  // namespace kiln::ir::ops::testing

#endif  // KILN_IR_OPS_TESTING_NODE_KERNEL_H_

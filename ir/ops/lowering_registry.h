// From graph nodes to kernels: which operator library function computes a
// node, with which workload and schedule (TVM calls this the op strategy).
// Each operator family registers its lowering beside its compute definition
// (pool_lowering.cc next to pool.cc, ...), in a library with alwayslink = 1
// that //ir/ops:all_lowerings gathers.
//
// A kernel's arguments are the node's present inputs in order, then its
// outputs.
#ifndef KILN_IR_OPS_LOWERING_REGISTRY_H_
#define KILN_IR_OPS_LOWERING_REGISTRY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ir/graph/graph.h"
#include "ir/stmt.h"
#include "runtime/registry.h"
#include "targets/target.h"

namespace kiln::ir::ops {

// What a lowering sees besides the node: the shapes of its present inputs
// and of its outputs, all non-empty, and whether each input is bool. All are
// float32 except that elementwise kernels (operators with an expression, and
// fused_elementwise) may also read and write bool.
struct NodeShapes {
  std::vector<std::vector<int64_t>> in, out;
  std::vector<bool> in_bool;
};

// (node, shapes, target, kernel name) -> the kernel. Unimplemented when this
// node's case has no kernel; other errors when the node is malformed.
using LowerFn = std::function<absl::StatusOr<LoweredFunc>(
    const graph::Node&, const NodeShapes&, const targets::Target&, const std::string&)>;

Registry<LowerFn>& LoweringRegistry();

// The lowering of `op`: its own, or for an operator that only has an
// elementwise expression, the one of fused_elementwise (a one-step chain).
absl::StatusOr<LowerFn> FindLowering(absl::string_view op);

// The Unimplemented error of a lowering without a kernel for `why`.
absl::Status NoKernel(const graph::Node& n, absl::string_view why);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_LOWERING_REGISTRY_H_

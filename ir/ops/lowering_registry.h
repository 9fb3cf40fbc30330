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
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ir/data_type.h"
#include "ir/graph/graph.h"
#include "ir/stmt.h"
#include "runtime/registry.h"
#include "targets/target.h"

namespace kiln::ir::ops {

// What a lowering sees besides the node: the shapes of its present inputs
// and of its outputs, all non-empty, and their element types.
struct NodeShapes {
  std::vector<std::vector<int64_t>> in, out;
  std::vector<DataType> in_types, out_types;
};

// (node, shapes, target, kernel name) -> the kernel. Unimplemented when this
// node's case has no kernel; other errors when the node is malformed.
using LowerFn = std::function<absl::StatusOr<LoweredFunc>(
    const graph::Node&, const NodeShapes&, const targets::Target&, const std::string&)>;

// Whether a lowering has kernels for these element types (shapes and types
// given, the node's attributes not needed). Each lowering declares its own
// beside its registration; nodes of other types get no compiled kernel.
using TypesFn = std::function<bool(const NodeShapes&)>;

// Every input and output float32: what most kernels compute on.
bool Float32Only(const NodeShapes& s);
// Any types: kernels that only move elements, built for the element type.
bool AnyTypes(const NodeShapes& s);
// float32 or float64, all inputs and outputs of one type.
bool OneFloatType(const NodeShapes& s);

struct Lowering {
  template <typename F, typename = std::enable_if_t<std::is_invocable_r_v<
                            absl::StatusOr<LoweredFunc>, F, const graph::Node&,
                            const NodeShapes&, const targets::Target&, const std::string&>>>
  Lowering(F lower, TypesFn types = Float32Only)  // NOLINT: a plain function is float32 only
      : lower(std::move(lower)), types(std::move(types)) {}

  LowerFn lower;
  TypesFn types;
};

Registry<Lowering>& LoweringRegistry();

// The lowering of `op`: its own, or for an operator that only has an
// elementwise expression, the one of fused_elementwise (a one-step chain).
absl::StatusOr<Lowering> FindLowering(absl::string_view op);

// The Unimplemented error of a lowering without a kernel for `why`.
absl::Status NoKernel(const graph::Node& n, absl::string_view why);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_LOWERING_REGISTRY_H_

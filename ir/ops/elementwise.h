// Fused elementwise kernels: any expression over inputs broadcast
// numpy-style to a common shape, computed in one loop nest (a chain such as
// add -> relu -> mul becomes one kernel, not three passes over memory).
#ifndef KILN_IR_OPS_ELEMENTWISE_H_
#define KILN_IR_OPS_ELEMENTWISE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/expr.h"
#include "ir/stmt.h"
#include "targets/target.h"

namespace kiln::ir::ops {

// The shape inputs of these shapes broadcast to, or InvalidArgument.
absl::StatusOr<std::vector<int64_t>> BroadcastShapes(
    const std::vector<std::vector<int64_t>>& shapes);

// `fn` receives one value per input (already broadcast) of its type
// (`input_types`, float32 where it is shorter) and returns the output value,
// whose type is the output's. Buffers: the inputs in order, then the output.
absl::StatusOr<LoweredFunc> BuildElementwise(
    const std::vector<std::vector<int64_t>>& input_shapes,
    const std::function<Expr(const std::vector<Expr>&)>& fn, const targets::Target& target,
    const std::string& name, const std::vector<DataType>& input_types = {});

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_ELEMENTWISE_H_

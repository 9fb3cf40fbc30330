// The post ops fused into a kernel node (ir/graph/post_ops.h) as an
// expression on each of the kernel's output values, for its builder: the
// builder appends operands() to its arguments before its output and stores
// Apply(value, index) instead of value.
#ifndef KILN_IR_OPS_POST_OPS_H_
#define KILN_IR_OPS_POST_OPS_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/expr.h"
#include "ir/graph/fused_elementwise.h"
#include "ir/graph/graph.h"
#include "ir/tensor.h"

namespace kiln::ir::ops {

class PostOps {
 public:
  PostOps() = default;  // none: Apply returns the value

  // The program of `kernel` whose present inputs have `in_shapes` (the
  // program's operands last) and whose output has `out_shape`.
  static absl::StatusOr<PostOps> Of(const graph::Node& kernel,
                                    const std::vector<std::vector<int64_t>>& in_shapes,
                                    const std::vector<int64_t>& out_shape);

  const std::vector<Tensor>& operands() const { return operands_; }

  // The program on `value`, the kernel's result at output `index`.
  Expr Apply(Expr value, const std::vector<Var>& index) const;

 private:
  std::vector<graph::FusedStep> steps_;
  std::vector<Tensor> operands_;  // in the shapes they are read in
  size_t rank_ = 0;               // of the output
};

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_POST_OPS_H_

#include "ir/ops/post_ops.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "ir/graph/post_ops.h"
#include "ir/ops/elementwise_exprs.h"

namespace kiln::ir::ops {
absl::StatusOr<PostOps> PostOps::Of(const graph::Node& kernel,
                                    const std::vector<std::vector<int64_t>>& in_shapes,
                                    const std::vector<int64_t>& out_shape) {
  PostOps post;
  if (!graph::HasPostOps(kernel)) return post;
  auto program = graph::PostOpsNode(kernel);
  if (!program.ok()) return program.status();
  auto steps = graph::FusedProgram(*program);
  if (!steps.ok()) return steps.status();
  const size_t n = program->inputs.size() - 1;
  if (n > in_shapes.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(graph::NodeLabel(kernel), " lacks the inputs its post ops read"));
  }
  std::vector<Expr> probes = {Var("result", DataType::Float32())};
  for (size_t k = 0; k < n; ++k) {
    const std::vector<int64_t>& given = in_shapes[in_shapes.size() - n + k];
    auto shape = graph::PostOpOperandShape(out_shape, given);
    if (!shape) {
      return absl::InvalidArgumentError(absl::StrCat(
          graph::NodeLabel(kernel), " post-op operand ", runtime::ShapeToString(given),
          " neither has the output's element count nor broadcasts against ",
          runtime::ShapeToString(out_shape)));
    }
    // A rank-0 operand is one element.
    if (shape->empty()) shape->push_back(1);
    post.operands_.push_back(Placeholder(absl::StrCat("post", k), *shape));
    probes.push_back(Var(absl::StrCat("operand", k), DataType::Float32()));
  }
  post.rank_ = out_shape.size();
  auto probe = FusedProgramExpr(*steps, probes);
  if (!probe.ok()) return probe.status();
  if (probe->dtype() != DataType::Float32()) {
    return absl::InvalidArgumentError(absl::StrCat(
        graph::NodeLabel(kernel), " post ops compute ", probe->dtype().ToString(),
        " values; the kernel stores float32"));
  }
  post.steps_ = *std::move(steps);
  return post;
}

Expr PostOps::Apply(Expr value, const std::vector<Var>& index) const {
  if (steps_.empty()) return value;
  std::vector<Expr> operands = {value};
  for (const Tensor& t : operands_) {
    // Right-aligned against the output's index; extent-1 dimensions at 0.
    const size_t lead = rank_ - std::min(rank_, t->shape.size());
    std::vector<Expr> at;
    for (size_t d = 0; d < t->shape.size(); ++d) {
      at.push_back(t->shape[d] == 1 || lead + d >= index.size() ? Expr(0) : Expr(index[lead + d]));
    }
    operands.push_back(Read(t, at));
  }
  // Of() ran the same program on probes of these types.
  return *FusedProgramExpr(steps_, operands);
}

}  // namespace kiln::ir::ops

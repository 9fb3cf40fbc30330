#include "ir/ops/post_ops.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "ir/graph/post_ops.h"
#include "ir/ops/elementwise_exprs.h"

namespace kiln::ir::ops {
namespace {

// The program's value given its operands' values (operand 0 the result).
absl::StatusOr<Expr> Run(const std::vector<graph::FusedStep>& steps,
                         const std::vector<Expr>& operands) {
  std::vector<Expr> results;
  for (const graph::FusedStep& step : steps) {
    std::vector<Expr> args;
    for (int64_t o : step.operands) args.push_back(o >= 0 ? operands[o] : results[-o - 1]);
    auto v = ElementwiseExpr(step.node, args);
    if (!v.ok()) return v.status();
    results.push_back(*v);
  }
  return results.back();
}

}  // namespace

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
    const std::vector<int64_t>& shape = in_shapes[in_shapes.size() - n + k];
    int64_t elements = 1;
    for (int64_t d : shape) elements *= d;
    const bool scalar = elements == 1;
    if (!scalar && shape != out_shape) {
      return absl::InvalidArgumentError(absl::StrCat(
          graph::NodeLabel(kernel), " post-op operand ", k, " has neither the output's shape nor "
          "one element"));
    }
    post.operands_.push_back(
        Placeholder(absl::StrCat("post", k), scalar ? std::vector<int64_t>{1} : shape));
    post.scalar_.push_back(scalar);
    probes.push_back(Var(absl::StrCat("operand", k), DataType::Float32()));
  }
  auto probe = Run(*steps, probes);
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
  std::vector<Expr> at(index.begin(), index.end());
  for (size_t k = 0; k < operands_.size(); ++k) {
    operands.push_back(scalar_[k] ? Read(operands_[k], {Expr(0)}) : Read(operands_[k], at));
  }
  // Of() ran the same program on probes of these types.
  return *Run(steps_, operands);
}

}  // namespace kiln::ir::ops

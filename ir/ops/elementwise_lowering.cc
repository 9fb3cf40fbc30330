// Lowering of fused_elementwise nodes, and of every operator with an
// elementwise expression as a one-step chain (see FindLowering).
#include "ir/graph/fused_elementwise.h"
#include "ir/ops/elementwise.h"
#include "ir/ops/elementwise_exprs.h"
#include "ir/ops/lowering_registry.h"

namespace kiln::ir::ops {
namespace {

absl::StatusOr<LoweredFunc> LowerElementwise(const graph::Node& n, const NodeShapes& s,
                                             const targets::Target& t, const std::string& name) {
  std::vector<graph::FusedStep> steps;
  if (n.op == "fused_elementwise") {
    auto program = graph::FusedProgram(n);
    if (!program.ok()) return program.status();
    steps = *program;
  } else {
    graph::FusedStep step{graph::Node{n.name, n.op, {}, {}, n.attrs}, {}};
    for (size_t i = 0; i < s.in.size(); ++i) step.operands.push_back(static_cast<int64_t>(i));
    steps.push_back(step);
  }
  // BuildElementwise's body cannot fail, so every step is checked to convert
  // first, on placeholder operands.
  absl::Status status = absl::OkStatus();
  auto body = [&](const std::vector<Expr>& inputs) {
    std::vector<Expr> results;
    for (const graph::FusedStep& step : steps) {
      std::vector<Expr> args;
      for (int64_t o : step.operands) args.push_back(o >= 0 ? inputs[o] : results[-o - 1]);
      auto v = ElementwiseExpr(step.node, args);
      if (!v.ok()) {
        status = v.status();
        return Expr(0.0f);
      }
      results.push_back(*v);
    }
    return results.back();
  };
  std::vector<DataType> types;
  std::vector<Expr> probes;
  for (size_t i = 0; i < s.in.size(); ++i) {
    types.push_back(i < s.in_bool.size() && s.in_bool[i] ? DataType::Bool() : DataType::Float32());
    probes.push_back(MakeConst(types.back(), 0));
  }
  body(probes);
  if (!status.ok()) return NoKernel(n, status.message());
  return BuildElementwise(s.in, body, t, name, types);
}

KILN_REGISTER(LoweringRegistry(), "fused_elementwise", "one loop nest over a chain",
              LowerElementwise);

}  // namespace
}  // namespace kiln::ir::ops

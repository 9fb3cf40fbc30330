// Lowering of fused_elementwise nodes, and of every operator with an
// elementwise expression as a one-step chain (see FindLowering).
#include "absl/strings/str_cat.h"
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
    auto v = FusedProgramExpr(steps, inputs);
    if (!v.ok()) {
      status = v.status();
      return Expr(0.0f);
    }
    return *v;
  };
  std::vector<Expr> probes;
  for (size_t i = 0; i < s.in.size(); ++i) probes.push_back(Var(absl::StrCat("probe", i), s.in_types[i]));
  const Expr probe = body(probes);
  if (!status.ok()) return NoKernel(n, status.message());
  if (probe.dtype() != s.out_types[0]) {
    return absl::InvalidArgumentError(
        absl::StrCat(n.op, " computes ", probe.dtype().ToString(), " values; its output is ",
                     s.out_types[0].ToString()));
  }
  return BuildElementwise(s.in, body, t, name, s.in_types);
}

// Any types: each step's expression checks its operands' types (an
// unsupported one is "no compiled kernel").
KILN_REGISTER(LoweringRegistry(), "fused_elementwise", "one loop nest over a chain",
              Lowering(LowerElementwise, AnyTypes));

}  // namespace
}  // namespace kiln::ir::ops

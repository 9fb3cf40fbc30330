// The scalar expression of each elementwise graph operator: what one element
// of its output is, given its operands' elements. Every operator registers
// its expression beside the others of its family (elementwise_exprs_*.cc);
// fused elementwise kernels are built from these, so an operator that
// registers one is lowered and fused without any further list.
#ifndef KILN_IR_OPS_ELEMENTWISE_EXPRS_H_
#define KILN_IR_OPS_ELEMENTWISE_EXPRS_H_

#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ir/expr.h"
#include "ir/graph/fused_elementwise.h"
#include "ir/graph/graph.h"
#include "runtime/registry.h"

namespace kiln::ir::ops {

// (the node, for its attributes; its operands' values) -> its value.
using ElementwiseExprFn =
    std::function<absl::StatusOr<Expr>(const graph::Node&, const std::vector<Expr>&)>;

Registry<ElementwiseExprFn>& ElementwiseExprRegistry();

// The value of the elementwise operator `op.op` on `operands`;
// Unimplemented when it has no expression.
absl::StatusOr<Expr> ElementwiseExpr(const graph::Node& op, const std::vector<Expr>& operands);

// The value of a fused_elementwise program (ir/graph/fused_elementwise.h)
// on `operands`. A step on float16 or bfloat16 values computes in float32
// (exact for their values) and rounds its float result back, as the
// reference stores each operator's result.
absl::StatusOr<Expr> FusedProgramExpr(const std::vector<graph::FusedStep>& steps,
                                      const std::vector<Expr>& operands);

// Whether `op` can be a step of a fused_elementwise node: its pattern is
// elementwise or broadcast and it has an expression.
bool IsFusableElementwise(absl::string_view op);

// InvalidArgument unless `operands` holds `n` values of one type:
// ExpectOperands a float type that computes (float32 or float64),
// ExpectNumericOperands also an integer type, ExpectBoolOperands bool.
// Expressions check their operands so (kernels pass whatever their tensors
// hold, and an unsupported type becomes "no compiled kernel").
absl::Status ExpectOperands(const graph::Node& op, const std::vector<Expr>& operands, size_t n);
absl::Status ExpectNumericOperands(const graph::Node& op, const std::vector<Expr>& operands,
                                   size_t n);
absl::Status ExpectBoolOperands(const graph::Node& op, const std::vector<Expr>& operands,
                                size_t n);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_ELEMENTWISE_EXPRS_H_

// The expression of cast: every pair of types (see ir::Cast and codegen:
// floats to integers truncate toward zero and saturate, NaN to 0; to bool
// is != 0; float16 and bfloat16 go through float32).
#include "ir/graph/attrs_data_movement.h"
#include "ir/ops/elementwise_exprs.h"

namespace kiln::ir::ops {
namespace {

absl::StatusOr<Expr> CastExpr(const graph::Node& n, const std::vector<Expr>& x) {
  if (x.size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(n.op, " takes 1 operand, got ", x.size()));
  }
  auto a = graph::CastAttrs::Read(n);
  if (!a.ok()) return a.status();
  return Cast(DataTypeOf(a->to).with_lanes(x[0].dtype().lanes()), x[0]);
}

KILN_REGISTER(ElementwiseExprRegistry(), "cast", "x converted to type `to`", CastExpr);

}  // namespace
}  // namespace kiln::ir::ops

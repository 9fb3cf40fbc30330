#include "ir/ops/indices.h"

#include "absl/strings/str_cat.h"

namespace kiln::ir::ops {

absl::Status CheckIndexType(DataType t) {
  if (!t.is_int()) {
    return absl::InvalidArgumentError(
        absl::StrCat("indices of type ", t.ToString(), "; expected an integer type"));
  }
  return absl::OkStatus();
}

Expr ClampIndex(Expr i, int64_t extent) { return Max(Min(i, Expr(extent - 1)), Expr(int64_t{0})); }

Expr WrapIndex(Expr index, int64_t extent) {
  Expr i = Cast(DataType::Int64(), index);
  return Select(i < int64_t{0}, i + extent, i);
}

Expr AxisIndex(Expr index, int64_t extent) { return ClampIndex(WrapIndex(index, extent), extent); }

Expr InAxis(Expr wrapped, int64_t extent) { return And(wrapped >= int64_t{0}, wrapped < extent); }

}  // namespace kiln::ir::ops

// Lowering of softmax over the innermost axis (or the flattened axes from
// `axis` on).
#include "absl/strings/str_cat.h"
#include "ir/ops/lowering_registry.h"
#include "ir/ops/softmax.h"

namespace kiln::ir::ops {
namespace {

absl::StatusOr<LoweredFunc> LowerSoftmax(const graph::Node& n, const NodeShapes& s,
                                         const targets::Target& t, const std::string& name) {
  const auto& x = s.in[0];
  auto axis = n.Int("axis", -1);
  auto flatten = n.Int("flatten", 0);
  if (!axis.ok() || !flatten.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("softmax ", n.name, " is malformed"));
  }
  const int64_t rank = static_cast<int64_t>(x.size());
  const int64_t a = *axis < 0 ? *axis + rank : *axis;
  if (a != rank - 1 && *flatten == 0) return NoKernel(n, "softmax over an inner axis");
  int64_t rows = 1, cols = 1;
  for (int64_t d = 0; d < rank; ++d) (d < a ? rows : cols) *= x[d];
  return BuildSoftmax(rows, cols, t, name);
}

KILN_REGISTER(LoweringRegistry(), "softmax", "row-wise softmax", LowerSoftmax);

}  // namespace
}  // namespace kiln::ir::ops

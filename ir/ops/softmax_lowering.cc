// Lowering of softmax, log_softmax and hardmax: along one axis, or (opsets
// before 13) over the flattened axes from `axis` on.
#include "ir/graph/attrs_nn.h"
#include "ir/ops/lowering_registry.h"
#include "ir/ops/softmax.h"

namespace kiln::ir::ops {
namespace {

LowerFn SoftmaxOf(SoftmaxKind kind) {
  return [kind](const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                const std::string& name) -> absl::StatusOr<LoweredFunc> {
    const auto& x = s.in[0];
    auto attrs = graph::SoftmaxAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    auto axis = attrs->Axis(x.size());
    if (!axis.ok()) return axis.status();
    const int64_t rank = static_cast<int64_t>(x.size());
    int64_t outer = 1, len = 1, inner = 1;
    for (int64_t d = 0; d < rank; ++d) {
      if (d < *axis) outer *= x[d];
      else if (d == *axis || attrs->flatten) len *= x[d];
      else inner *= x[d];
    }
    return BuildSoftmax(kind, outer, len, inner, t, name);
  };
}

KILN_REGISTER(LoweringRegistry(), "hardmax", "1 at the first maximum along an axis",
              SoftmaxOf(SoftmaxKind::kHardmax));
KILN_REGISTER(LoweringRegistry(), "log_softmax", "log of softmax along an axis",
              SoftmaxOf(SoftmaxKind::kLogSoftmax));
KILN_REGISTER(LoweringRegistry(), "softmax", "softmax along an axis",
              SoftmaxOf(SoftmaxKind::kSoftmax));

}  // namespace
}  // namespace kiln::ir::ops

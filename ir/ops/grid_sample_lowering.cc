// Lowering of grid_sample (2-D, every mode and padding).
#include "ir/graph/attrs_grid_sample.h"
#include "ir/ops/grid_sample.h"
#include "ir/ops/lowering_registry.h"

namespace kiln::ir::ops {
namespace {

absl::StatusOr<LoweredFunc> LowerGridSample(const graph::Node& n, const NodeShapes& s,
                                            const targets::Target& t, const std::string& name) {
  auto attrs = graph::GridSampleAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  return BuildGridSample(s.in[0], s.in[1], *attrs, t, name);
}

KILN_REGISTER(LoweringRegistry(), "grid_sample", "an image sampled at the points of a grid",
              LowerGridSample);

}  // namespace
}  // namespace kiln::ir::ops

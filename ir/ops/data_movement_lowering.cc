// Lowering of the operators that move elements without arithmetic on them:
// transpose, concat, slice, pad, tile, trilu, layout_transform and resize.
#include "ir/graph/attrs_data_movement.h"
#include "ir/ops/data_movement.h"
#include "ir/ops/lowering_registry.h"

namespace kiln::ir::ops {
namespace {

using Lowered = absl::StatusOr<LoweredFunc>;

Lowered LowerTranspose(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                       const std::string& name) {
  auto attrs = graph::TransposeAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  auto perm = attrs->Perm(s.in[0].size());
  if (!perm.ok()) return perm.status();
  return BuildTranspose(s.in[0], *perm, t, name);
}

Lowered LowerConcat(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                    const std::string& name) {
  auto attrs = graph::ConcatAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  auto axis = attrs->Axis(s.out[0].size());
  if (!axis.ok()) return axis.status();
  return BuildConcat(s.in, *axis, t, name);
}

Lowered LowerSlice(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                   const std::string& name) {
  auto attrs = graph::SliceAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  return BuildSlice(s.in[0], attrs->starts, attrs->steps, s.out[0], t, name);
}

Lowered LowerPad(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                 const std::string& name) {
  auto attrs = graph::PadAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  const PadMode mode = attrs->mode == graph::PadAttrs::Mode::kEdge      ? PadMode::kEdge
                       : attrs->mode == graph::PadAttrs::Mode::kReflect ? PadMode::kReflect
                                                                        : PadMode::kConstant;
  return BuildPad(s.in[0], attrs->pads, mode, static_cast<float>(attrs->value), t, name);
}

Lowered LowerTile(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                  const std::string& name) {
  auto attrs = graph::TileAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  return BuildTile(s.in[0], attrs->repeats, t, name);
}

Lowered LowerTrilu(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                   const std::string& name) {
  auto attrs = graph::TriluAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  return BuildTrilu(s.in[0], attrs->upper, attrs->k, t, name);
}

Lowered LowerLayoutTransform(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                             const std::string& name) {
  auto attrs = graph::LayoutTransformAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  const auto& x = s.in[0];
  const std::vector<int64_t> plain =
      attrs->src_block == 0 ? x : std::vector<int64_t>{x[0], x[1] * x[4], x[2], x[3]};
  return BuildLayoutTransform(plain, attrs->src_block, attrs->dst_block, t, name);
}

Lowered LowerResize(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                    const std::string& name) {
  auto attrs = graph::ResizeAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  ResizeWorkload w;
  w.in_shape = s.in[0];
  w.out_shape = s.out[0];
  w.scales = attrs->scales;
  w.mode = attrs->mode;
  w.coordinate_mode = attrs->coordinate_mode;
  w.rounding = attrs->nearest_mode;
  return BuildResize(w, t, name);
}

KILN_REGISTER(LoweringRegistry(), "transpose", "permutes axes", LowerTranspose);
KILN_REGISTER(LoweringRegistry(), "concat", "joins along an axis", LowerConcat);
KILN_REGISTER(LoweringRegistry(), "slice", "strided window", LowerSlice);
KILN_REGISTER(LoweringRegistry(), "pad", "constant, edge or reflect padding", LowerPad);
KILN_REGISTER(LoweringRegistry(), "tile", "repeats each axis", LowerTile);
KILN_REGISTER(LoweringRegistry(), "trilu", "upper or lower triangle", LowerTrilu);
KILN_REGISTER(LoweringRegistry(), "layout_transform", "NCHW <-> NCHW[x]c", LowerLayoutTransform);
KILN_REGISTER(LoweringRegistry(), "resize", "nearest or linear resize", LowerResize);

}  // namespace
}  // namespace kiln::ir::ops

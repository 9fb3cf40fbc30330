// Lowering of the operators that move elements without arithmetic on them:
// transpose, depth_to_space, concat, slice, pad, tile, trilu, gather, gather_elements,
// gather_nd, split, layout_transform and resize.
#include "ir/graph/attrs_data_movement.h"
#include "ir/graph/attrs_index.h"
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
  return BuildTranspose(s.in[0], *perm, t, name, s.in_types[0]);
}

Lowered LowerDepthToSpace(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                          const std::string& name) {
  auto attrs = graph::DepthToSpaceAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  return BuildDepthToSpace(s.in[0], attrs->rows, attrs->columns, t, name, s.in_types[0]);
}

Lowered LowerConcat(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                    const std::string& name) {
  auto attrs = graph::ConcatAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  auto axis = attrs->Axis(s.out[0].size());
  if (!axis.ok()) return axis.status();
  return BuildConcat(s.in, *axis, t, name, s.in_types[0]);
}

Lowered LowerSlice(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                   const std::string& name) {
  auto attrs = graph::SliceAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  return BuildSlice(s.in[0], attrs->starts, attrs->steps, s.out[0], t, name, s.in_types[0]);
}

Lowered LowerPad(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                 const std::string& name) {
  auto attrs = graph::PadAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  const PadMode mode = attrs->mode == graph::PadAttrs::Mode::kEdge      ? PadMode::kEdge
                       : attrs->mode == graph::PadAttrs::Mode::kReflect ? PadMode::kReflect
                                                                        : PadMode::kConstant;
  return BuildPad(s.in[0], attrs->pads, mode, attrs->value, t, name, s.in_types[0]);
}

Lowered LowerTile(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                  const std::string& name) {
  auto attrs = graph::TileAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  return BuildTile(s.in[0], attrs->repeats, t, name, s.in_types[0]);
}

Lowered LowerTrilu(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                   const std::string& name) {
  auto attrs = graph::TriluAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  return BuildTrilu(s.in[0], attrs->upper, attrs->k, t, name, s.in_types[0]);
}

Lowered LowerLayoutTransform(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                             const std::string& name) {
  auto attrs = graph::LayoutTransformAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  const auto& x = s.in[0];
  const std::vector<int64_t> plain =
      attrs->src_block == 0 ? x : std::vector<int64_t>{x[0], x[1] * x[4], x[2], x[3]};
  return BuildLayoutTransform(plain, attrs->src_block, attrs->dst_block, t, name, s.in_types[0]);
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

Lowered LowerGather(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                    const std::string& name) {
  auto attrs = graph::GatherAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  auto axis = attrs->Axis(s.in[0].size());
  if (!axis.ok()) return axis.status();
  return BuildGather(s.in[0], s.in[1], *axis, t, name, s.in_types[0], s.in_types[1]);
}

Lowered LowerGatherElements(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                            const std::string& name) {
  auto attrs = graph::GatherElementsAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  const int64_t rank = s.in[0].size();
  if (attrs->axis < -rank || attrs->axis >= rank) return NoKernel(n, "this axis");
  return BuildGatherElements(s.in[0], s.in[1], attrs->axis < 0 ? attrs->axis + rank : attrs->axis,
                             t, name, s.in_types[0], s.in_types[1]);
}

Lowered LowerGatherNd(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                      const std::string& name) {
  auto attrs = graph::GatherNdAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  return BuildGatherNd(s.in[0], s.in[1], attrs->batch_dims, t, name, s.in_types[0],
                       s.in_types[1]);
}

Lowered LowerSplit(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                   const std::string& name) {
  auto attrs = graph::SplitAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  auto axis = attrs->axis.Axis(s.in[0].size());
  if (!axis.ok()) return axis.status();
  return BuildSplit(s.in[0], *axis, attrs->sizes, t, name, s.in_types[0]);
}

// Data of any type, integer indices.
bool IndexedTypes(const NodeShapes& s) {
  return s.in_types.size() == 2 && s.in_types[1].is_int();
}

// The kernels only copy elements: any element type (pad's and trilu's fill
// value converted to it). Resize interpolates: float32.
KILN_REGISTER(LoweringRegistry(), "transpose", "permutes axes",
              Lowering(LowerTranspose, AnyTypes));
KILN_REGISTER(LoweringRegistry(), "depth_to_space", "channel blocks to pixel blocks",
              Lowering(LowerDepthToSpace, AnyTypes));
KILN_REGISTER(LoweringRegistry(), "concat", "joins along an axis",
              Lowering(LowerConcat, AnyTypes));
KILN_REGISTER(LoweringRegistry(), "slice", "strided window", Lowering(LowerSlice, AnyTypes));
KILN_REGISTER(LoweringRegistry(), "pad", "constant, edge or reflect padding",
              Lowering(LowerPad, AnyTypes));
KILN_REGISTER(LoweringRegistry(), "tile", "repeats each axis", Lowering(LowerTile, AnyTypes));
KILN_REGISTER(LoweringRegistry(), "trilu", "upper or lower triangle",
              Lowering(LowerTrilu, AnyTypes));
KILN_REGISTER(LoweringRegistry(), "layout_transform", "NCHW <-> NCHW[x]c",
              Lowering(LowerLayoutTransform, AnyTypes));
KILN_REGISTER(LoweringRegistry(), "resize", "nearest or linear resize", LowerResize);
KILN_REGISTER(LoweringRegistry(), "gather", "entries along an axis",
              Lowering(LowerGather, IndexedTypes));
KILN_REGISTER(LoweringRegistry(), "gather_elements", "one element per index along an axis",
              Lowering(LowerGatherElements, IndexedTypes));
KILN_REGISTER(LoweringRegistry(), "gather_nd", "slices at index tuples",
              Lowering(LowerGatherNd, IndexedTypes));
KILN_REGISTER(LoweringRegistry(), "split", "consecutive pieces along an axis",
              Lowering(LowerSplit, AnyTypes));

}  // namespace
}  // namespace kiln::ir::ops

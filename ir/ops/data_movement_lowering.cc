// Lowering of the operators that move elements without arithmetic on them:
// transpose, concat, slice, pad, layout_transform and resize.
#include "absl/strings/str_cat.h"
#include "ir/ops/data_movement.h"
#include "ir/ops/lowering_registry.h"

namespace kiln::ir::ops {
namespace {

using Lowered = absl::StatusOr<LoweredFunc>;

absl::Status Malformed(const graph::Node& n) {
  return absl::InvalidArgumentError(absl::StrCat(n.op, " ", n.name, " is malformed"));
}

Lowered LowerTranspose(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                       const std::string& name) {
  std::vector<int64_t> reversed;
  for (size_t d = s.in[0].size(); d-- > 0;) reversed.push_back(static_cast<int64_t>(d));
  auto perm = n.Ints("perm", reversed);
  if (!perm.ok()) return perm.status();
  return BuildTranspose(s.in[0], *perm, t, name);
}

Lowered LowerConcat(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                    const std::string& name) {
  auto axis = n.Int("axis", 0);
  if (!axis.ok()) return axis.status();
  const int64_t rank = static_cast<int64_t>(s.out[0].size());
  return BuildConcat(s.in, *axis < 0 ? *axis + rank : *axis, t, name);
}

Lowered LowerSlice(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                   const std::string& name) {
  auto starts = n.Ints("starts");
  auto steps = n.Ints("steps");
  if (!starts.ok() || !steps.ok()) return Malformed(n);
  return BuildSlice(s.in[0], *starts, *steps, s.out[0], t, name);
}

Lowered LowerPad(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                 const std::string& name) {
  auto pads = n.Ints("pads");
  auto mode = n.String("mode", "constant");
  auto value = n.Float("value", 0.0);
  if (!pads.ok() || !mode.ok()) return Malformed(n);
  const PadMode m = *mode == "edge"      ? PadMode::kEdge
                    : *mode == "reflect" ? PadMode::kReflect
                                         : PadMode::kConstant;
  return BuildPad(s.in[0], *pads, m, static_cast<float>(value.ok() ? *value : 0.0), t, name);
}

Lowered LowerLayoutTransform(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                             const std::string& name) {
  auto src = n.Int("src_block");
  auto dst = n.Int("dst_block");
  if (!src.ok() || !dst.ok()) return Malformed(n);
  const auto& x = s.in[0];
  const std::vector<int64_t> plain =
      *src == 0 ? x : std::vector<int64_t>{x[0], x[1] * x[4], x[2], x[3]};
  return BuildLayoutTransform(plain, *src, *dst, t, name);
}

Lowered LowerResize(const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                    const std::string& name) {
  ResizeWorkload w;
  w.in_shape = s.in[0];
  w.out_shape = s.out[0];
  auto scales = n.Floats("scales");
  auto mode = n.String("mode", "nearest");
  auto coord = n.String("coordinate_transformation_mode", "half_pixel");
  auto rounding = n.String("nearest_mode", "round_prefer_floor");
  if (!scales.ok() || !mode.ok() || !coord.ok() || !rounding.ok()) return Malformed(n);
  w.scales = *scales;
  w.mode = *mode;
  w.coordinate_mode = *coord;
  w.rounding = *rounding;
  return BuildResize(w, t, name);
}

KILN_REGISTER(LoweringRegistry(), "transpose", "permutes axes", LowerTranspose);
KILN_REGISTER(LoweringRegistry(), "concat", "joins along an axis", LowerConcat);
KILN_REGISTER(LoweringRegistry(), "slice", "strided window", LowerSlice);
KILN_REGISTER(LoweringRegistry(), "pad", "constant, edge or reflect padding", LowerPad);
KILN_REGISTER(LoweringRegistry(), "layout_transform", "NCHW <-> NCHW[x]c", LowerLayoutTransform);
KILN_REGISTER(LoweringRegistry(), "resize", "nearest or linear resize", LowerResize);

}  // namespace
}  // namespace kiln::ir::ops

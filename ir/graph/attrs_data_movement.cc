#include "ir/graph/attrs_data_movement.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ir/graph/attr_errors.h"
#include "ir/graph/ops_common.h"

namespace kiln::graph {
absl::StatusOr<TransposeAttrs> TransposeAttrs::Read(const Node& n) {
  auto perm = n.Ints("perm", std::vector<int64_t>{});
  if (!perm.ok()) return perm.status();
  return TransposeAttrs{*perm};
}

void TransposeAttrs::Write(Node& n) const {
  if (!perm.empty()) n.attrs["perm"] = perm;
}

absl::StatusOr<std::vector<int64_t>> TransposeAttrs::Perm(size_t rank) const {
  std::vector<int64_t> p = perm;
  if (p.empty()) {
    for (size_t d = rank; d-- > 0;) p.push_back(static_cast<int64_t>(d));
  }
  std::vector<int64_t> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  for (size_t d = 0; d < sorted.size(); ++d) {
    if (sorted.size() != rank || sorted[d] != static_cast<int64_t>(d)) {
      return absl::InvalidArgumentError(
          absl::StrCat("perm is not a permutation of the ", rank, " axes"));
    }
  }
  return p;
}

absl::StatusOr<SingleAxisAttrs> SingleAxisAttrs::Read(const Node& n) {
  auto axis = n.Int("axis", 0);
  if (!axis.ok()) return axis.status();
  return SingleAxisAttrs{*axis};
}

void SingleAxisAttrs::Write(Node& n) const { n.attrs["axis"] = axis; }

absl::StatusOr<int64_t> SingleAxisAttrs::Axis(size_t rank) const {
  // Concat, gather and split index the axis's length: a scalar has none.
  if (rank == 0) {
    return absl::InvalidArgumentError("the input is a scalar (rank 0); expected rank 1 or more");
  }
  return ops::NormalizeAxis(axis, static_cast<int64_t>(rank));
}

absl::StatusOr<SplitAttrs> SplitAttrs::Read(const Node& n) {
  auto axis = SingleAxisAttrs::Read(n);
  if (!axis.ok()) return axis.status();
  auto sizes = n.Ints("split");
  if (!sizes.ok()) return sizes.status();
  for (int64_t s : *sizes) {
    if (s < 0) return AttrError(n, absl::StrCat("split size ", s, " is negative"));
  }
  return SplitAttrs{*axis, *sizes};
}

void SplitAttrs::Write(Node& n) const {
  axis.Write(n);
  n.attrs["split"] = sizes;
}

absl::StatusOr<ReshapeAttrs> ReshapeAttrs::Read(const Node& n) {
  auto shape = n.Ints("shape");
  if (!shape.ok()) return shape.status();
  for (int64_t d : *shape) {
    if (d < 0) return AttrError(n, absl::StrCat("shape dimension ", d, " is negative"));
  }
  return ReshapeAttrs{*shape};
}

void ReshapeAttrs::Write(Node& n) const { n.attrs["shape"] = shape; }

absl::StatusOr<CastAttrs> CastAttrs::Read(const Node& n) {
  auto to = n.String("to");
  if (!to.ok()) return to.status();
  auto dtype = runtime::ParseDType(*to);
  if (!dtype.ok()) return AttrError(n, std::string(dtype.status().message()));
  return CastAttrs{*dtype};
}

void CastAttrs::Write(Node& n) const { n.attrs["to"] = std::string(runtime::DTypeName(to)); }

absl::StatusOr<SliceAttrs> SliceAttrs::Read(const Node& n) {
  SliceAttrs a;
  auto starts = n.Ints("starts");
  auto ends = n.Ints("ends");
  auto steps = n.Ints("steps");
  for (const auto* s : {&starts, &ends, &steps}) {
    if (!s->ok()) return s->status();
  }
  a.starts = *starts;
  a.ends = *ends;
  a.steps = *steps;
  return a;
}

void SliceAttrs::Write(Node& n) const {
  n.attrs["starts"] = starts;
  n.attrs["ends"] = ends;
  n.attrs["steps"] = steps;
}

absl::StatusOr<PadAttrs> PadAttrs::Read(const Node& n) {
  PadAttrs a;
  auto pads = n.Ints("pads");
  auto mode = n.String("mode", "constant");
  auto value = n.Float("value", 0.0);
  if (!pads.ok()) return pads.status();
  if (!mode.ok()) return mode.status();
  if (!value.ok()) return value.status();
  if (*mode == "reflect") {
    a.mode = Mode::kReflect;
  } else if (*mode == "edge") {
    a.mode = Mode::kEdge;
  } else if (*mode != "constant") {
    return absl::UnimplementedError(absl::StrCat(
        n.op, " ", n.name, ": pad mode '", *mode, "'; expected constant, reflect or edge"));
  }
  a.pads = *pads;
  a.value = *value;
  return a;
}

absl::StatusOr<TileAttrs> TileAttrs::Read(const Node& n) {
  auto repeats = n.Ints("repeats");
  if (!repeats.ok()) return repeats.status();
  for (int64_t r : *repeats) {
    if (r < 0) return AttrError(n, absl::StrCat("repeat ", r, "; expected repeats >= 0"));
  }
  return TileAttrs{*repeats};
}

void TileAttrs::Write(Node& n) const { n.attrs["repeats"] = repeats; }

absl::StatusOr<std::vector<int64_t>> TileAttrs::OutShape(const std::vector<int64_t>& shape) const {
  if (repeats.size() != shape.size()) {
    return absl::InvalidArgumentError(absl::StrCat(repeats.size(), " repeats for a tensor of rank ",
                                                   shape.size(), "; expected one per axis"));
  }
  // A tiled tensor is allocated whole: an absurd one is an error here, not
  // a failed allocation later. Counted in double, which cannot overflow; an
  // empty axis does not excuse a huge one.
  constexpr double kMaxElements = 4294967296.0;
  std::vector<int64_t> out;
  double n = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    const double extent = static_cast<double>(shape[d]) * static_cast<double>(repeats[d]);
    n *= extent;
    if (extent > kMaxElements || n > kMaxElements) {
      return absl::InvalidArgumentError(
          absl::StrCat("tiling ", runtime::ShapeToString(shape), " by ",
                       runtime::ShapeToString(repeats), " has more than 2^32 elements"));
    }
    out.push_back(shape[d] * repeats[d]);
  }
  return out;
}

absl::StatusOr<GatherElementsAttrs> GatherElementsAttrs::Read(const Node& n) {
  auto axis = n.Int("axis", 0);
  if (!axis.ok()) return axis.status();
  return GatherElementsAttrs{*axis};
}

void GatherElementsAttrs::Write(Node& n) const { n.attrs["axis"] = axis; }

absl::StatusOr<TriluAttrs> TriluAttrs::Read(const Node& n) {
  auto upper = n.Int("upper", 1);
  auto k = n.Int("k", 0);
  if (!upper.ok()) return upper.status();
  if (!k.ok()) return k.status();
  return TriluAttrs{*upper != 0, *k};
}

void TriluAttrs::Write(Node& n) const {
  n.attrs["upper"] = static_cast<int64_t>(upper);
  n.attrs["k"] = k;
}

void PadAttrs::Write(Node& n) const {
  n.attrs["pads"] = pads;
  n.attrs["mode"] = std::string(mode == Mode::kReflect ? "reflect"
                                : mode == Mode::kEdge  ? "edge"
                                                       : "constant");
  n.attrs["value"] = value;
}

absl::StatusOr<ResizeAttrs> ResizeAttrs::Read(const Node& n) {
  ResizeAttrs a;
  auto sizes = n.Ints("sizes");
  auto scales = n.Floats("scales");
  auto mode = n.String("mode", a.mode);
  auto coord = n.String("coordinate_transformation_mode", a.coordinate_mode);
  auto nearest = n.String("nearest_mode", a.nearest_mode);
  if (!sizes.ok()) return sizes.status();
  if (!scales.ok()) return scales.status();
  for (const auto* s : {&mode, &coord, &nearest}) {
    if (!s->ok()) return s->status();
  }
  a.sizes = *sizes;
  a.scales = *scales;
  a.mode = *mode;
  a.coordinate_mode = *coord;
  a.nearest_mode = *nearest;
  return a;
}

void ResizeAttrs::Write(Node& n) const {
  n.attrs["sizes"] = sizes;
  n.attrs["scales"] = scales;
  n.attrs["mode"] = mode;
  n.attrs["coordinate_transformation_mode"] = coordinate_mode;
  n.attrs["nearest_mode"] = nearest_mode;
}

absl::StatusOr<DepthToSpaceAttrs> DepthToSpaceAttrs::Read(const Node& n) {
  auto blocks = n.Ints("blocks");
  if (!blocks.ok()) return blocks.status();
  if (blocks->size() != 2 || (*blocks)[0] < 1 || (*blocks)[1] < 1) {
    return AttrError(n, absl::StrCat("blocks [", absl::StrJoin(*blocks, ", "),
                                     "]; expected two positive sizes, rows and columns"));
  }
  return DepthToSpaceAttrs{(*blocks)[0], (*blocks)[1]};
}

void DepthToSpaceAttrs::Write(Node& n) const { n.attrs["blocks"] = std::vector<int64_t>{rows, columns}; }

absl::StatusOr<LayoutTransformAttrs> LayoutTransformAttrs::Read(const Node& n) {
  auto src = n.Int("src_block");
  auto dst = n.Int("dst_block");
  if (!src.ok()) return src.status();
  if (!dst.ok()) return dst.status();
  if (*src < 0 || *dst < 0) {
    return AttrError(n, absl::StrCat("blocks ", *src, " -> ", *dst,
                                     "; expected 0 (plain) or positive"));
  }
  return LayoutTransformAttrs{*src, *dst};
}

void LayoutTransformAttrs::Write(Node& n) const {
  n.attrs["src_block"] = src_block;
  n.attrs["dst_block"] = dst_block;
}

}  // namespace kiln::graph

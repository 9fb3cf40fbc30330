// Tile and Expand, both kiln `tile`: Expand repeats the size-1 axes of its
// input (after prepending size-1 axes up to the target's rank).
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"

namespace kiln::frontend {
namespace {

absl::Status EmitTile(ImportContext& c, std::vector<int64_t> repeats) {
  const int64_t rank = c.InputType(0).shape.size();
  if (static_cast<int64_t>(repeats.size()) != rank) {
    return c.Invalid(absl::StrCat(repeats.size(), " repeats for an input of rank ", rank,
                                  "; expected one per axis"));
  }
  for (int64_t r : repeats) {
    if (r < 0) return c.Invalid(absl::StrCat("repeat ", r, "; expected repeats >= 0"));
  }
  KILN_ASSIGN(in, Inputs(c, 1));
  return c.Emit("tile", in, {{"repeats", repeats}});
}

// Tile-1: input `tiles` copies along input `axis`, both scalars.
absl::Status TileAlongAxis(ImportContext& c) {
  KILN_ASSIGN(tiles, c.ConstantInts(1, "Tile's tiles"));
  KILN_ASSIGN(axis, c.ConstantInts(2, "Tile's axis"));
  const int64_t rank = c.InputType(0).shape.size();
  if (tiles.size() != 1 || axis.size() != 1) {
    return c.Invalid("tiles and axis must be one value each");
  }
  if (axis[0] < 0 || axis[0] >= rank) {
    return c.Invalid(absl::StrCat("axis ", axis[0], " is out of range for rank ", rank));
  }
  std::vector<int64_t> repeats(rank, 1);
  repeats[axis[0]] = tiles[0];
  return EmitTile(c, repeats);
}

absl::Status TileWithRepeats(ImportContext& c) {
  KILN_ASSIGN(repeats, c.ConstantInts(1, "Tile's repeats"));
  return EmitTile(c, repeats);
}

KILN_REGISTER_ONNX_CONVERTER(Tile, 1, 5, TileAlongAxis);
KILN_REGISTER_ONNX_CONVERTER(Tile, 6, kLatestOpset, TileWithRepeats);

// numpy broadcasting of the input to `shape`, where either side's size-1
// axes stretch.
absl::Status Expand(ImportContext& c) {
  KILN_ASSIGN(shape, c.ConstantInts(1, "Expand's shape"));
  std::vector<int64_t> in_shape = c.InputType(0).shape;
  const size_t rank = std::max(in_shape.size(), shape.size());
  in_shape.insert(in_shape.begin(), rank - in_shape.size(), 1);
  shape.insert(shape.begin(), rank - shape.size(), 1);
  std::vector<int64_t> repeats(rank, 1);
  for (size_t d = 0; d < rank; ++d) {
    if (shape[d] < 0) return c.Invalid(absl::StrCat("negative dimension ", shape[d]));
    if (in_shape[d] == 1) {
      repeats[d] = shape[d];
    } else if (shape[d] != 1 && shape[d] != in_shape[d]) {
      return c.Invalid(absl::StrCat("cannot broadcast dimension ", in_shape[d], " to ", shape[d],
                                    " (axis ", d, " of the broadcast shape)"));
    }
  }
  KILN_ASSIGN(in, Inputs(c, 1));
  int value = in[0];
  if (in_shape.size() != c.InputType(0).shape.size()) {
    KILN_ASSIGN(reshaped, c.EmitStep("reshape", {value}, {{"shape", in_shape}}));
    value = reshaped;
  }
  return c.Emit("tile", {value}, {{"repeats", repeats}});
}

KILN_REGISTER_ONNX_CONVERTER(Expand, 8, kLatestOpset, Expand);

}  // namespace
}  // namespace kiln::frontend

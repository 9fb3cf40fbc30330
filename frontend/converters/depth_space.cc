// DepthToSpace and SpaceToDepth on NCHW tensors. DepthToSpace in DCR mode is
// kiln's depth_to_space, which also runs on blocked NCHW[x]c data; the CRD
// mode and SpaceToDepth are reshape, transpose, reshape (the reshapes are
// views, so one copy).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"

namespace kiln::frontend {
namespace {

// The input's [N, C, H, W] and blocksize, checked for a 4-D input and a
// positive block size.
struct BlockedInput {
  std::vector<int64_t> x;
  int64_t b;
};

absl::StatusOr<BlockedInput> ReadBlockedInput(ImportContext& c) {
  const std::vector<int64_t>& x = c.InputType(0).shape;
  if (x.size() != 4) {
    return c.Invalid(absl::StrCat("input of rank ", x.size(), "; expected a 4-D NCHW tensor"));
  }
  KILN_ASSIGN(b, c.AttrInt("blocksize", std::nullopt));
  if (b < 1) return c.Invalid(absl::StrCat("blocksize ", b, "; expected a positive one"));
  return BlockedInput{x, b};
}

absl::Status EmitMoves(ImportContext& c, const std::vector<int64_t>& split,
                       const std::vector<int64_t>& perm, const std::vector<int64_t>& out) {
  KILN_ASSIGN(in, Inputs(c, 1));
  KILN_ASSIGN(split_value, c.EmitStep("reshape", in, {{"shape", split}}));
  KILN_ASSIGN(moved, c.EmitStep("transpose", {split_value}, {{"perm", perm}}));
  return c.Emit("reshape", {moved}, {{"shape", out}});
}

// Channel blocks become b x b pixels: DCR (the default) reads the channels
// as [b, b, C / b^2], CRD as [C / b^2, b, b].
absl::Status DepthToSpace(ImportContext& c) {
  KILN_ASSIGN(in, ReadBlockedInput(c));
  const auto& x = in.x;
  const int64_t b = in.b;
  // Divided twice: b * b of a hostile blocksize would overflow.
  if (x[1] % b != 0 || (x[1] / b) % b != 0) {
    return c.Invalid(absl::StrCat(x[1], " channels do not divide into blocks of ", b, "x", b));
  }
  KILN_ASSIGN(mode, c.AttrString("mode", "DCR"));
  const int64_t depth = x[1] / (b * b);
  const std::vector<int64_t> out = {x[0], depth, x[2] * b, x[3] * b};
  if (mode == "DCR") {
    KILN_ASSIGN(input, Inputs(c, 1));
    return c.Emit("depth_to_space", input, {{"blocks", std::vector<int64_t>{b, b}}});
  }
  if (mode == "CRD") {
    return EmitMoves(c, {x[0], depth, b, b, x[2], x[3]}, {0, 1, 4, 2, 5, 3}, out);
  }
  return c.Invalid(absl::StrCat("mode '", mode, "'; expected DCR or CRD"));
}

// The inverse of DepthToSpace in DCR mode.
absl::Status SpaceToDepth(ImportContext& c) {
  KILN_ASSIGN(in, ReadBlockedInput(c));
  const auto& x = in.x;
  const int64_t b = in.b;
  if (x[2] % b != 0 || x[3] % b != 0) {
    return c.Invalid(absl::StrCat("height ", x[2], " and width ", x[3],
                                  " must be multiples of blocksize ", b));
  }
  return EmitMoves(c, {x[0], x[1], x[2] / b, b, x[3] / b, b}, {0, 3, 5, 1, 2, 4},
                   {x[0], x[1] * b * b, x[2] / b, x[3] / b});
}

// Versions 11 and 13 added the mode and more types, nothing that changes a
// result of an earlier version.
KILN_REGISTER_ONNX_CONVERTER(DepthToSpace, 1, kLatestOpset, DepthToSpace);
KILN_REGISTER_ONNX_CONVERTER(SpaceToDepth, 1, kLatestOpset, SpaceToDepth);

}  // namespace
}  // namespace kiln::frontend

#include "ir/graph/attrs_grid_sample.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "ir/graph/attr_errors.h"

namespace kiln::graph {
namespace {

const char* ModeName(GridSampleAttrs::Mode m) {
  switch (m) {
    case GridSampleAttrs::Mode::kLinear: return "linear";
    case GridSampleAttrs::Mode::kNearest: return "nearest";
    case GridSampleAttrs::Mode::kCubic: return "cubic";
  }
  return "";
}

const char* PaddingName(GridSampleAttrs::Padding p) {
  switch (p) {
    case GridSampleAttrs::Padding::kZeros: return "zeros";
    case GridSampleAttrs::Padding::kBorder: return "border";
    case GridSampleAttrs::Padding::kReflection: return "reflection";
  }
  return "";
}

}  // namespace

absl::StatusOr<GridSampleAttrs> GridSampleAttrs::Read(const Node& n) {
  GridSampleAttrs a;
  auto mode = n.String("mode", "linear");
  auto padding = n.String("padding_mode", "zeros");
  auto align = n.Int("align_corners", 0);
  if (!mode.ok()) return mode.status();
  if (!padding.ok()) return padding.status();
  if (!align.ok()) return align.status();
  bool found = false;
  for (Mode m : {Mode::kLinear, Mode::kNearest, Mode::kCubic}) {
    if (*mode == ModeName(m)) a.mode = m, found = true;
  }
  if (!found) {
    return AttrError(n, absl::StrCat("mode '", *mode, "'; expected linear, nearest or cubic"));
  }
  found = false;
  for (Padding p : {Padding::kZeros, Padding::kBorder, Padding::kReflection}) {
    if (*padding == PaddingName(p)) a.padding = p, found = true;
  }
  if (!found) {
    return AttrError(n, absl::StrCat("padding_mode '", *padding,
                                     "'; expected zeros, border or reflection"));
  }
  a.align_corners = *align != 0;
  return a;
}

void GridSampleAttrs::Write(Node& n) const {
  n.attrs["mode"] = std::string(ModeName(mode));
  n.attrs["padding_mode"] = std::string(PaddingName(padding));
  n.attrs["align_corners"] = int64_t{align_corners ? 1 : 0};
}

}  // namespace kiln::graph

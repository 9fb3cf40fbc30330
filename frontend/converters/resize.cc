// Resize: nearest and linear, with explicit output sizes or scales.
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"

namespace kiln::frontend {
namespace {

absl::Status Resize(ImportContext& c) {
  KILN_ASSIGN(x, c.Input(0));
  const auto& shape = c.InputType(0).shape;
  KILN_ASSIGN(mode, c.AttrString("mode", "nearest"));
  KILN_ASSIGN(coord, c.AttrString("coordinate_transformation_mode", "half_pixel"));
  KILN_ASSIGN(nearest, c.AttrString("nearest_mode", "round_prefer_floor"));
  KILN_ASSIGN(antialias, c.AttrInt("antialias", 0));
  KILN_ASSIGN(exclude_outside, c.AttrInt("exclude_outside", 0));
  if (mode != "nearest" && mode != "linear") return c.Unsupported(absl::StrCat("mode '", mode, "'"));
  if (coord != "half_pixel" && coord != "pytorch_half_pixel" && coord != "align_corners" &&
      coord != "asymmetric" && coord != "tf_half_pixel_for_nn") {
    return c.Unsupported(absl::StrCat("coordinate_transformation_mode '", coord, "'"));
  }
  if (antialias != 0 || exclude_outside != 0 || c.Attr("axes") ||
      c.Attr("keep_aspect_ratio_policy")) {
    return c.Unsupported("antialias, exclude_outside, axes or keep_aspect_ratio_policy");
  }
  std::vector<double> scales;
  std::vector<int64_t> sizes;
  if (c.HasInput(3)) {
    KILN_ASSIGN(given, c.ConstantInts(3, "sizes"));
    sizes = given;
  } else if (c.HasInput(2)) {
    auto data = c.InputConstant(2);
    if (!data || data->dtype() != runtime::DType::kFloat32) {
      return c.Unsupported("scales that are not a float32 constant");
    }
    for (int64_t k = 0; k < data->NumElements(); ++k) scales.push_back(data->data<float>()[k]);
  }
  if (sizes.empty() && scales.empty()) return c.Invalid("neither scales nor sizes is given");
  if ((!sizes.empty() && sizes.size() != shape.size()) ||
      (!scales.empty() && scales.size() != shape.size())) {
    return c.Invalid("scales/sizes must have one value per axis");
  }
  if (scales.empty()) {
    for (size_t d = 0; d < shape.size(); ++d) {
      scales.push_back(static_cast<double>(sizes[d]) / shape[d]);
    }
  } else {
    for (size_t d = 0; d < shape.size(); ++d) {
      if (scales[d] <= 0) return c.Invalid("scales must be positive");
      sizes.push_back(static_cast<int64_t>(std::floor(shape[d] * scales[d])));
    }
  }
  return c.Emit("resize", {x},
                {{"mode", mode}, {"coordinate_transformation_mode", coord},
                 {"nearest_mode", nearest}, {"scales", scales}, {"sizes", sizes}});
}

// Resize-10 has other coordinate rules and stays unregistered, so the
// importer reports it as unsupported.
KILN_REGISTER_ONNX_CONVERTER(Resize, 11, kLatestOpset, Resize);

}  // namespace
}  // namespace kiln::frontend

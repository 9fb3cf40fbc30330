// Resize (nearest and linear through kiln's resize operator; cubic,
// exclude_outside and tf_crop_and_resize through interpolation matrices,
// resize_matrices.h) and Upsample, its predecessor.
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"
#include "frontend/converters/resize_matrices.h"

namespace kiln::frontend {
namespace {

// ONNX's output size for a scale: floor(in * scale).
absl::StatusOr<std::vector<int64_t>> ScaledSizes(ImportContext& c,
                                                 const std::vector<double>& scales) {
  const auto& shape = c.InputType(0).shape;
  if (scales.size() != shape.size()) {
    return c.Invalid(absl::StrCat(scales.size(), " scales for an input of rank ", shape.size()));
  }
  std::vector<int64_t> sizes;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (!(scales[d] > 0)) return c.Invalid("scales must be positive");
    const double size = std::floor(shape[d] * scales[d]);
    // Also keeps the conversion to int64 defined.
    if (!(size < 1e15)) return c.Invalid(absl::StrCat("scale ", scales[d], " is too large"));
    sizes.push_back(static_cast<int64_t>(size));
  }
  return sizes;
}

// A float32 constant input, as doubles.
absl::StatusOr<std::vector<double>> ConstantScales(ImportContext& c, int i) {
  auto data = c.RequiredConstant(i, "scales");
  if (!data.ok()) return data.status();
  if (data->dtype() != runtime::DType::kFloat32) return c.Unsupported("scales that are not float32");
  std::vector<double> scales;
  for (int64_t k = 0; k < data->NumElements(); ++k) scales.push_back(data->data<float>()[k]);
  return scales;
}

// Upsample and Resize-10 take coordinates as out / scale ("asymmetric"). For
// nearest they pick like ONNX Runtime: the floor when enlarging, the ceiling
// when shrinking; kiln rounds every axis alike, so it cannot do both at once.
absl::Status EmitScaledResize(ImportContext& c, std::string mode,
                              const std::vector<double>& scales) {
  if (mode == "bilinear") mode = "linear";
  if (mode != "nearest" && mode != "linear") {
    return c.Unsupported(absl::StrCat("mode '", mode, "'"));
  }
  KILN_ASSIGN(sizes, ScaledSizes(c, scales));
  bool shrinks = false, enlarges = false;
  for (double s : scales) {
    shrinks |= s < 1;
    enlarges |= s > 1;
  }
  if (mode == "nearest" && shrinks && enlarges) {
    return c.Unsupported("nearest resize that shrinks some axes and enlarges others");
  }
  KILN_ASSIGN(x, c.Input(0));
  return c.Emit("resize", {x},
                {{"mode", mode}, {"coordinate_transformation_mode", std::string("asymmetric")},
                 {"nearest_mode", std::string(shrinks ? "ceil" : "floor")},
                 {"scales", scales}, {"sizes", sizes}});
}

// Upsample only enlarges.
absl::Status EmitUpsample(ImportContext& c, const std::vector<double>& scales) {
  for (double s : scales) {
    if (s < 1) return c.Invalid(absl::StrCat("scale ", s, " is below 1"));
  }
  KILN_ASSIGN(mode, c.AttrString("mode", "nearest"));
  return EmitScaledResize(c, mode, scales);
}

// Opsets 1-6: a 4-D input scaled along height and width.
absl::Status UpsampleWithHeightAndWidthScales(ImportContext& c) {
  if (c.InputType(0).shape.size() != 4) return c.Invalid("the input must be 4-D");
  KILN_ASSIGN(height, c.AttrFloat("height_scale", std::nullopt));
  KILN_ASSIGN(width, c.AttrFloat("width_scale", std::nullopt));
  return EmitUpsample(c, {1.0, 1.0, height, width});
}

// Opsets 7-8: a scale per axis in an attribute.
absl::Status UpsampleWithScalesAttribute(ImportContext& c) {
  const auto* a = c.Attr("scales");
  if (!a || a->type() != onnx::AttributeProto::FLOATS) {
    return c.Invalid("attribute 'scales' (a list of floats) is required");
  }
  return EmitUpsample(c, std::vector<double>(a->floats().begin(), a->floats().end()));
}

// Opset 9: the scales became an input.
absl::Status UpsampleWithScalesInput(ImportContext& c) {
  KILN_ASSIGN(scales, ConstantScales(c, 1));
  return EmitUpsample(c, scales);
}

KILN_REGISTER_ONNX_CONVERTER(Upsample, 1, 6, UpsampleWithHeightAndWidthScales);
KILN_REGISTER_ONNX_CONVERTER(Upsample, 7, 8, UpsampleWithScalesAttribute);
KILN_REGISTER_ONNX_CONVERTER(Upsample, 9, 9, UpsampleWithScalesInput);

// Resize-10 is Upsample-9 that may also shrink.
absl::Status ResizeWithScales(ImportContext& c) {
  KILN_ASSIGN(scales, ConstantScales(c, 1));
  KILN_ASSIGN(mode, c.AttrString("mode", "nearest"));
  return EmitScaledResize(c, mode, scales);
}

KILN_REGISTER_ONNX_CONVERTER(Resize, 10, 10, ResizeWithScales);

// From opset 11: coordinate modes, and explicit sizes as an alternative to
// scales; opset 18 added axes (scales or sizes for those axes only),
// antialias and keep_aspect_ratio_policy, opset 19 the half_pixel_symmetric
// coordinate mode.
absl::Status Resize(ImportContext& c) {
  KILN_ASSIGN(x, c.Input(0));
  const auto& shape = c.InputType(0).shape;
  const int64_t rank = shape.size();
  KILN_ASSIGN(mode, c.AttrString("mode", "nearest"));
  KILN_ASSIGN(coord, c.AttrString("coordinate_transformation_mode", "half_pixel"));
  KILN_ASSIGN(nearest, c.AttrString("nearest_mode", "round_prefer_floor"));
  KILN_ASSIGN(antialias, c.AttrInt("antialias", 0));
  KILN_ASSIGN(exclude_outside, c.AttrInt("exclude_outside", 0));
  KILN_ASSIGN(policy, c.AttrString("keep_aspect_ratio_policy", "stretch"));
  KILN_ASSIGN(cubic_coeff_a, c.AttrFloat("cubic_coeff_a", -0.75));
  KILN_ASSIGN(extrapolation_value, c.AttrFloat("extrapolation_value", 0.0));
  if (mode != "nearest" && mode != "linear" && mode != "cubic") {
    return c.Unsupported(absl::StrCat("mode '", mode, "'"));
  }
  if (coord != "half_pixel" && coord != "pytorch_half_pixel" && coord != "align_corners" &&
      coord != "asymmetric" && coord != "tf_half_pixel_for_nn" && coord != "tf_crop_and_resize") {
    return c.Unsupported(absl::StrCat("coordinate_transformation_mode '", coord, "'"));
  }
  if (nearest != "round_prefer_floor" && nearest != "round_prefer_ceil" && nearest != "floor" &&
      nearest != "ceil") {
    return c.Invalid(absl::StrCat("nearest_mode '", nearest, "'"));
  }
  if (antialias != 0) return c.Unsupported("antialias=1");
  if (policy != "stretch") {
    return c.Unsupported(absl::StrCat("keep_aspect_ratio_policy '", policy, "'"));
  }
  std::vector<int64_t> axes;
  for (int64_t d = 0; d < rank; ++d) axes.push_back(d);
  if (c.Attr("axes")) {
    KILN_ASSIGN(given, c.AttrInts("axes", std::nullopt));
    axes = given;
    for (int64_t& a : axes) {
      if (a < -rank || a >= rank) {
        return c.Invalid(absl::StrCat("axis ", a, " of a rank-", rank, " input"));
      }
      if (a < 0) a += rank;
    }
  }
  // Scales and sizes for every axis; the axes not listed keep their size.
  std::vector<double> scales(rank, 1.0);
  std::vector<int64_t> sizes(shape);
  if (c.HasInput(3)) {
    KILN_ASSIGN(given, c.ConstantInts(3, "sizes"));
    if (given.size() != axes.size()) return c.Invalid("sizes must have one value per axis");
    for (size_t k = 0; k < axes.size(); ++k) {
      sizes[axes[k]] = given[k];
      scales[axes[k]] = static_cast<double>(given[k]) / shape[axes[k]];
    }
  } else if (c.HasInput(2)) {
    KILN_ASSIGN(given, ConstantScales(c, 2));
    if (given.size() != axes.size()) return c.Invalid("scales must have one value per axis");
    for (size_t k = 0; k < axes.size(); ++k) scales[axes[k]] = given[k];
    KILN_ASSIGN(scaled, ScaledSizes(c, scales));
    sizes = scaled;
  } else {
    return c.Invalid("neither scales nor sizes is given");
  }
  // What the resize kernel does not implement goes through interpolation
  // matrices.
  if (mode == "cubic" || exclude_outside != 0 || coord == "tf_crop_and_resize") {
    ResizeSpec spec{mode, coord, nearest, cubic_coeff_a, exclude_outside != 0,
                    extrapolation_value, scales, sizes, {}};
    if (coord == "tf_crop_and_resize") {
      KILN_ASSIGN(roi, c.RequiredConstant(1, "roi"));
      if (roi.dtype() != runtime::DType::kFloat32 ||
          roi.NumElements() != 2 * static_cast<int64_t>(axes.size())) {
        return c.Invalid(absl::StrCat("roi of ", roi.NumElements(), " ", runtime::DTypeName(roi.dtype()),
                                      " values; expected ", 2 * axes.size(), " float32"));
      }
      // Starts then ends of the listed axes; the others keep all of [0, 1].
      spec.roi.assign(rank, 0.0);
      spec.roi.resize(2 * rank, 1.0);
      for (size_t k = 0; k < axes.size(); ++k) {
        spec.roi[axes[k]] = roi.data<float>()[k];
        spec.roi[rank + axes[k]] = roi.data<float>()[axes.size() + k];
      }
    }
    return EmitResizeByMatrices(c, spec);
  }
  return c.Emit("resize", {x},
                {{"mode", mode}, {"coordinate_transformation_mode", coord},
                 {"nearest_mode", nearest}, {"scales", scales}, {"sizes", sizes}});
}

KILN_REGISTER_ONNX_CONVERTER(Resize, 11, kLatestOpset, Resize);

}  // namespace
}  // namespace kiln::frontend

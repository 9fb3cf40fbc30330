// GridSample: 2-D sampling of an NCHW image at the points of a grid. Opset
// 16 named its interpolations bilinear and bicubic; opset 20 renamed them
// linear and cubic and allowed N-D inputs (kiln samples 2-D images).
#include <string>

#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"

namespace kiln::frontend {
namespace {

Converter GridSample(std::string linear, std::string cubic) {
  return [linear, cubic](ImportContext& c) -> absl::Status {
    KILN_ASSIGN(mode, c.AttrString("mode", linear));
    KILN_ASSIGN(padding, c.AttrString("padding_mode", "zeros"));
    KILN_ASSIGN(align, c.AttrInt("align_corners", 0));
    std::string kiln_mode;
    if (mode == linear) {
      kiln_mode = "linear";
    } else if (mode == cubic) {
      kiln_mode = "cubic";
    } else if (mode == "nearest") {
      kiln_mode = "nearest";
    } else {
      return c.Invalid(absl::StrCat("mode '", mode, "'; expected ", linear, ", nearest or ", cubic));
    }
    KILN_ASSIGN(in, Inputs(c, 2));
    return c.Emit("grid_sample", in,
                  {{"mode", kiln_mode}, {"padding_mode", padding}, {"align_corners", align}});
  };
}

KILN_REGISTER_ONNX_CONVERTER(GridSample, 16, 19, GridSample("bilinear", "bicubic"));
KILN_REGISTER_ONNX_CONVERTER(GridSample, 20, kLatestOpset, GridSample("linear", "cubic"));

}  // namespace
}  // namespace kiln::frontend

// Softmax. Until opset 13 it coerced its input to 2-D at `axis` (default 1)
// and normalized each row; from 13 it normalizes along `axis` (default -1).
#include "frontend/converters/converter_util.h"

namespace kiln::frontend {
namespace {

Converter Softmax(int64_t default_axis, bool flatten) {
  return [default_axis, flatten](ImportContext& c) -> absl::Status {
    KILN_ASSIGN(in, Inputs(c, 1));
    KILN_ASSIGN(axis, c.AttrInt("axis", default_axis));
    return c.Emit("softmax", in, {{"axis", axis}, {"flatten", int64_t{flatten ? 1 : 0}}});
  };
}

KILN_REGISTER_ONNX_CONVERTER(Softmax, 1, 12, Softmax(1, /*flatten=*/true));
KILN_REGISTER_ONNX_CONVERTER(Softmax, 13, kLatestOpset, Softmax(-1, /*flatten=*/false));

}  // namespace
}  // namespace kiln::frontend

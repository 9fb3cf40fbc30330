// Softmax, LogSoftmax and Hardmax. Until opset 13 they coerced their input
// to 2-D at `axis` (default 1) and normalized each row; from 13 they
// normalize along `axis` (default -1).
#include <string>

#include "frontend/converters/converter_util.h"

namespace kiln::frontend {
namespace {

Converter Softmax(std::string op, int64_t default_axis, bool flatten) {
  return [op, default_axis, flatten](ImportContext& c) -> absl::Status {
    KILN_ASSIGN(in, Inputs(c, 1));
    KILN_ASSIGN(axis, c.AttrInt("axis", default_axis));
    return c.Emit(op, in, {{"axis", axis}, {"flatten", int64_t{flatten ? 1 : 0}}});
  };
}

KILN_REGISTER_ONNX_CONVERTER(Hardmax, 1, 12, Softmax("hardmax", 1, /*flatten=*/true));
KILN_REGISTER_ONNX_CONVERTER(Hardmax, 13, kLatestOpset, Softmax("hardmax", -1, /*flatten=*/false));
KILN_REGISTER_ONNX_CONVERTER(LogSoftmax, 1, 12, Softmax("log_softmax", 1, /*flatten=*/true));
KILN_REGISTER_ONNX_CONVERTER(LogSoftmax, 13, kLatestOpset,
                             Softmax("log_softmax", -1, /*flatten=*/false));
KILN_REGISTER_ONNX_CONVERTER(Softmax, 1, 12, Softmax("softmax", 1, /*flatten=*/true));
KILN_REGISTER_ONNX_CONVERTER(Softmax, 13, kLatestOpset, Softmax("softmax", -1, /*flatten=*/false));

}  // namespace
}  // namespace kiln::frontend

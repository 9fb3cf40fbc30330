// Identity, and Dropout, which is the identity at inference.
#include "frontend/converters/converter_util.h"

namespace kiln::frontend {
namespace {

absl::Status Identity(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 1));
  c.Alias(in[0]);
  return absl::OkStatus();
}

KILN_REGISTER_ONNX_CONVERTER(Identity, 1, kLatestOpset, Identity);

absl::Status DropoutAsIdentity(ImportContext& c) {
  for (int k = 1; k < c.node().output_size(); ++k) {
    if (!c.node().output(k).empty()) return c.Unsupported("the dropout mask output");
  }
  return Identity(c);
}

// Until opset 7 the is_test attribute tells inference from training.
absl::Status DropoutWithIsTest(ImportContext& c) {
  KILN_ASSIGN(is_test, c.AttrInt("is_test", 1));
  if (!is_test) return c.Unsupported("training-mode dropout");
  return DropoutAsIdentity(c);
}

// From opset 7 Dropout is inference-only unless the training_mode input
// (opset 12) says otherwise.
absl::Status DropoutWithTrainingInput(ImportContext& c) {
  if (c.HasInput(2)) {
    auto training = c.InputConstant(2);
    if (!training || training->NumElements() != 1 || training->data<uint8_t>()[0] != 0) {
      return c.Unsupported("training-mode dropout");
    }
  }
  return DropoutAsIdentity(c);
}

KILN_REGISTER_ONNX_CONVERTER(Dropout, 1, 6, DropoutWithIsTest);
KILN_REGISTER_ONNX_CONVERTER(Dropout, 7, kLatestOpset, DropoutWithTrainingInput);

}  // namespace
}  // namespace kiln::frontend

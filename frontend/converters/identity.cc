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

// Until opset 7, is_test=0 drops activations at random.
absl::Status DropoutWithIsTest(ImportContext& c) {
  if (auto st = RequireIsTest(c, "dropout"); !st.ok()) return st;
  return DropoutAsIdentity(c);
}

// From opset 12 the training_mode input (false when absent) can ask for
// training.
absl::Status DropoutWithTrainingInput(ImportContext& c) {
  if (c.HasInput(2)) {
    auto training = c.InputConstant(2);
    if (!training || training->NumElements() != 1 || training->data<uint8_t>()[0] != 0) {
      return c.Unsupported("training-mode dropout (training_mode not a constant false)");
    }
  }
  return DropoutAsIdentity(c);
}

KILN_REGISTER_ONNX_CONVERTER(Dropout, 1, 6, DropoutWithIsTest);
// Opsets 7 to 11 define Dropout for inference only.
KILN_REGISTER_ONNX_CONVERTER(Dropout, 7, 11, DropoutAsIdentity);
KILN_REGISTER_ONNX_CONVERTER(Dropout, 12, kLatestOpset, DropoutWithTrainingInput);

}  // namespace
}  // namespace kiln::frontend

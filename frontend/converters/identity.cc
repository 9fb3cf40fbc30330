// Identity, and Dropout, which is the identity at inference.
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"

namespace kiln::frontend {
namespace {

absl::Status Identity(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 1));
  c.Alias(in[0]);
  return absl::OkStatus();
}

KILN_REGISTER_ONNX_CONVERTER(Identity, 1, kLatestOpset, Identity);

// At inference Dropout keeps every element: the output is the input and the
// mask, when asked for, is all ones (of the input's type until opset 10,
// bool from then on).
Converter DropoutAsIdentity(bool bool_mask) {
  return [bool_mask](ImportContext& c) -> absl::Status {
    if (c.node().output_size() > 1 && !c.node().output(1).empty()) {
      const graph::TensorType& type = c.InputType(0);
      KILN_ASSIGN(mask, graph::NDArray::Empty(
                            type.shape, bool_mask ? runtime::DType::kBool : type.dtype));
      for (int64_t i = 0; i < mask.NumElements(); ++i) {
        switch (mask.dtype()) {
          case runtime::DType::kFloat32: mask.data<float>()[i] = 1; break;
          case runtime::DType::kInt32: mask.data<int32_t>()[i] = 1; break;
          case runtime::DType::kInt64: mask.data<int64_t>()[i] = 1; break;
          default: mask.data<uint8_t>()[i] = 1;
        }
      }
      c.EmitConstant(mask, 1);
    }
    return Identity(c);
  };
}

// Until opset 7, is_test=0 drops activations at random; with is_test set the
// mask output is left unfilled.
absl::Status DropoutWithIsTest(ImportContext& c) {
  if (auto st = RequireIsTest(c, "dropout"); !st.ok()) return st;
  if (c.node().output_size() > 1 && !c.node().output(1).empty()) {
    return c.Unsupported("the mask output, which ONNX leaves unfilled when is_test is set,");
  }
  return Identity(c);
}

// From opset 12 the training_mode input (false when absent) can ask for
// training.
absl::Status DropoutWithTrainingInput(ImportContext& c) {
  if (c.HasInput(2)) {
    auto training = c.RequiredConstant(2, "training_mode");
    if (!training.ok()) return training.status();
    if (training->NumElements() != 1) {
      return c.Invalid(absl::StrCat("training_mode has ", training->NumElements(),
                                    " values; expected one"));
    }
    // Training drops a random share `ratio` of the activations: only a
    // zero ratio, which keeps them all, has one answer.
    if (training->data<uint8_t>()[0] != 0) {
      float ratio = 0.5f;
      if (c.HasInput(1)) {
        KILN_ASSIGN(given, c.RequiredConstant(1, "ratio"));
        if (given.NumElements() != 1 || given.dtype() != runtime::DType::kFloat32) {
          return c.Unsupported("a ratio that is not one float32");
        }
        ratio = given.data<float>()[0];
      }
      if (ratio != 0) {
        return c.Unsupported(absl::StrCat("training-mode dropout with ratio ", ratio,
                                          " (random masks)"));
      }
    }
  }
  return DropoutAsIdentity(/*bool_mask=*/true)(c);
}

KILN_REGISTER_ONNX_CONVERTER(Dropout, 1, 6, DropoutWithIsTest);
// Opsets 7 to 11 define Dropout for inference only.
KILN_REGISTER_ONNX_CONVERTER(Dropout, 7, 9, DropoutAsIdentity(/*bool_mask=*/false));
KILN_REGISTER_ONNX_CONVERTER(Dropout, 10, 11, DropoutAsIdentity(/*bool_mask=*/true));
KILN_REGISTER_ONNX_CONVERTER(Dropout, 12, kLatestOpset, DropoutWithTrainingInput);

}  // namespace
}  // namespace kiln::frontend

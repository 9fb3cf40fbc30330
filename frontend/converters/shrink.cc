// Shrink (opset 9): x + bias below -lambd, x - bias above lambd, 0 between;
// two comparisons and selects that fuse into one elementwise kernel.
#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"
#include "frontend/converters/graph_steps.h"

namespace kiln::frontend {
namespace {

absl::Status Shrink(ImportContext& c) {
  if (c.InputType(0).dtype != runtime::DType::kFloat32) {
    return c.Unsupported(absl::StrCat(runtime::DTypeName(c.InputType(0).dtype), " input"));
  }
  KILN_ASSIGN(lambd, c.AttrFloat("lambd", 0.5));
  KILN_ASSIGN(bias, c.AttrFloat("bias", 0.0));
  KILN_ASSIGN(in, Inputs(c, 1));
  GraphSteps s(c);
  const int x = in[0];
  const int shift = s.Scalar(static_cast<float>(bias));
  const int above = s.Op("where", {s.Op("greater", {x, s.Scalar(static_cast<float>(lambd))}),
                                   s.Op("sub", {x, shift}), s.Scalar(0.0f)});
  const int result = s.Op("where", {s.Op("less", {x, s.Scalar(static_cast<float>(-lambd))}),
                                    s.Op("add", {x, shift}), above});
  return s.Bind(result);
}

KILN_REGISTER_ONNX_CONVERTER(Shrink, 9, kLatestOpset, Shrink);

}  // namespace
}  // namespace kiln::frontend

// Constant: its value attribute (tensor or scalar forms) becomes constant
// data in the graph.
#include <string>

#include "frontend/converters/converter_util.h"

namespace kiln::frontend {
namespace {

absl::Status Constant(ImportContext& c) {
  if (const auto* a = c.Attr("value")) {
    auto data = TensorFromProto(a->t(), c.model_dir(), c.memory_budget());
    if (!data.ok()) {
      if (data.status().code() == absl::StatusCode::kUnimplemented) {
        return c.Unsupported(std::string(data.status().message()));
      }
      return c.Invalid(std::string(data.status().message()));
    }
    c.EmitConstant(*data);
    return absl::OkStatus();
  }
  if (const auto* a = c.Attr("value_float")) {
    KILN_ASSIGN(data, graph::NDArray::Empty({}, runtime::DType::kFloat32));
    data.data<float>()[0] = a->f();
    c.EmitConstant(data);
    return absl::OkStatus();
  }
  if (const auto* a = c.Attr("value_int")) {
    KILN_ASSIGN(data, graph::NDArray::Empty({}, runtime::DType::kInt64));
    data.data<int64_t>()[0] = a->i();
    c.EmitConstant(data);
    return absl::OkStatus();
  }
  if (const auto* a = c.Attr("value_ints")) {
    KILN_ASSIGN(data, graph::NDArray::Empty({a->ints_size()}, runtime::DType::kInt64));
    for (int k = 0; k < a->ints_size(); ++k) data.data<int64_t>()[k] = a->ints(k);
    c.EmitConstant(data);
    return absl::OkStatus();
  }
  return c.Unsupported("this form of Constant");
}

KILN_REGISTER_ONNX_CONVERTER(Constant, 1, kLatestOpset, Constant);

}  // namespace
}  // namespace kiln::frontend

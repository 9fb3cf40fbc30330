#include "frontend/converters/graph_steps.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace kiln::frontend {

const std::vector<int64_t>& GraphSteps::Shape(int value) const {
  static const std::vector<int64_t>* none = new std::vector<int64_t>();
  return value < 0 ? *none : c_.graph().value(value).type.shape;
}

void GraphSteps::Fail(absl::Status st) {
  if (status_.ok()) status_ = std::move(st);
}

absl::Status GraphSteps::Bind(int value, int output) {
  if (!status_.ok()) return status_;
  c_.Alias(value, output);
  return absl::OkStatus();
}

int GraphSteps::Op(const std::string& op, const std::vector<int>& inputs, Attrs attrs) {
  if (!status_.ok()) return -1;
  auto id = c_.EmitStep(op, inputs, std::move(attrs));
  if (!id.ok()) {
    Fail(id.status());
    return -1;
  }
  return *id;
}

template <typename T>
int GraphSteps::TypedConstant(std::vector<int64_t> shape, runtime::DType dtype,
                              const std::vector<T>& data) {
  if (!status_.ok()) return -1;
  auto array = graph::NDArray::Empty(std::move(shape), dtype);
  if (!array.ok()) {
    Fail(array.status());
    return -1;
  }
  if (static_cast<int64_t>(data.size()) != array->NumElements()) {
    Fail(absl::InternalError(absl::StrCat("a constant of ", array->NumElements(),
                                          " elements given ", data.size(), " values")));
    return -1;
  }
  std::copy(data.begin(), data.end(), array->template data<T>());
  graph::Graph& g = c_.graph();
  const std::string name = absl::StrCat(c_.node().name().empty() ? c_.node().op_type()
                                                                  : c_.node().name(),
                                        "/constant_", g.values().size());
  return g.AddConstant(name, *std::move(array));
}

int GraphSteps::Constant(std::vector<int64_t> shape, const std::vector<float>& data) {
  return TypedConstant(std::move(shape), runtime::DType::kFloat32, data);
}

int GraphSteps::Int64Constant(std::vector<int64_t> shape, const std::vector<int64_t>& data) {
  return TypedConstant(std::move(shape), runtime::DType::kInt64, data);
}

int GraphSteps::Reshape(int value, std::vector<int64_t> shape) {
  if (status_.ok() && Shape(value) == shape) return value;
  return Op("reshape", {value}, {{"shape", std::move(shape)}});
}

int GraphSteps::Slice(int value, int64_t axis, int64_t start, int64_t end) {
  if (!status_.ok()) return -1;
  const std::vector<int64_t>& shape = Shape(value);
  if (axis < 0 || axis >= static_cast<int64_t>(shape.size())) {
    Fail(c_.Invalid(absl::StrCat("an operand of shape ", runtime::ShapeToString(shape),
                                 " has no axis ", axis)));
    return -1;
  }
  std::vector<int64_t> starts(shape.size(), 0), ends = shape, steps(shape.size(), 1);
  starts[axis] = start;
  ends[axis] = end;
  return Op("slice", {value}, {{"starts", starts}, {"ends", ends}, {"steps", steps}});
}

int GraphSteps::Concat(const std::vector<int>& values, int64_t axis) {
  if (values.size() == 1) return values[0];
  return Op("concat", values, {{"axis", axis}});
}

int GraphSteps::Cast(int value, runtime::DType to) {
  if (status_.ok() && c_.graph().value(value).type.dtype == to) return value;
  return Op("cast", {value}, {{"to", std::string(runtime::DTypeName(to))}});
}

int GraphSteps::ReduceSum(int value, std::vector<int64_t> axes, bool keepdims) {
  return Op("reduce_sum", {value},
            {{"axes", std::move(axes)}, {"keepdims", int64_t{keepdims ? 1 : 0}}});
}

}  // namespace kiln::frontend

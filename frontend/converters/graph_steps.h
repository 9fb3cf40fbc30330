// Building a converter's decomposition of one ONNX node into several kiln
// operators (loss functions, recurrent layers) without checking a status
// after every step: the first failure sticks, later steps do nothing and
// return -1, and the converter reports status() once at the end.
#ifndef KILN_FRONTEND_CONVERTERS_GRAPH_STEPS_H_
#define KILN_FRONTEND_CONVERTERS_GRAPH_STEPS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "frontend/onnx_context.h"

namespace kiln::frontend {

class GraphSteps {
 public:
  using Attrs = absl::flat_hash_map<std::string, graph::AttrValue>;

  explicit GraphSteps(ImportContext& c) : c_(c) {}

  const absl::Status& status() const { return status_; }
  ImportContext& context() { return c_; }
  const std::vector<int64_t>& Shape(int value) const;

  // One kiln operator with one output, bound to no ONNX name.
  int Op(const std::string& op, const std::vector<int>& inputs, Attrs attrs = {});
  // A float32 constant of `shape` (row-major data) or a one-element scalar
  // of rank 0 that broadcasts against anything.
  int Constant(std::vector<int64_t> shape, const std::vector<float>& data);
  int Scalar(float v) { return Constant({}, {v}); }
  // The same in int64, for indices (gather positions, offsets).
  int Int64Constant(std::vector<int64_t> shape, const std::vector<int64_t>& data);
  int Int64Scalar(int64_t v) { return Int64Constant({}, {v}); }

  int Reshape(int value, std::vector<int64_t> shape);
  // Elements [start, end) along `axis`.
  int Slice(int value, int64_t axis, int64_t start, int64_t end);
  int Concat(const std::vector<int>& values, int64_t axis);
  int Cast(int value, runtime::DType to);
  int ReduceSum(int value, std::vector<int64_t> axes, bool keepdims);

  // Ends a conversion: binds output `output` of the ONNX node to `value`,
  // or returns the first failure.
  absl::Status Bind(int value, int output = 0);

  // Records `st` if it is the first failure.
  void Fail(absl::Status st);

 private:
  // Adds a constant of `dtype` holding `data` (of the constant's C type).
  template <typename T>
  int TypedConstant(std::vector<int64_t> shape, runtime::DType dtype, const std::vector<T>& data);

  ImportContext& c_;
  absl::Status status_;
};

}  // namespace kiln::frontend

#endif  // KILN_FRONTEND_CONVERTERS_GRAPH_STEPS_H_

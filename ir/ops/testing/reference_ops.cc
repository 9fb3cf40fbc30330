#include "ir/ops/testing/reference_ops.h"

#include <algorithm>
#include <cstring>

#include "glog/logging.h"
#include "ir/graph/attrs_nn.h"
#include "ir/graph/op_registry.h"

namespace kiln::ir::ops::testing {
namespace {

graph::NDArray ToArray(const std::vector<float>& values, std::vector<int64_t> shape) {
  auto a = graph::NDArray::Empty(std::move(shape), runtime::DType::kFloat32);
  CHECK(a.ok()) << a.status();
  CHECK_EQ(static_cast<size_t>(a->NumElements()), values.size());
  std::memcpy(a->data<float>(), values.data(), values.size() * sizeof(float));
  return *a;
}

}  // namespace

// The graph's conv operator is the reference; the epilogue is added here.
std::vector<float> ReferenceConv2d(const Conv2dWorkload& w, int64_t groups,
                                   const std::vector<float>& data,
                                   const std::vector<float>& weight,
                                   const std::vector<float>& bias,
                                   const std::vector<float>& residual) {
  graph::Node conv{"reference_conv", "conv", {}, {}, {}};
  graph::Conv2dAttrs attrs;
  attrs.strides = {w.stride_h, w.stride_w};
  attrs.dilations = {w.dilation_h, w.dilation_w};
  attrs.pads = {w.pad_h, w.pad_w, w.pad_h, w.pad_w};
  attrs.group = groups;
  attrs.Write(conv);
  std::vector<graph::NDArray> in = {
      ToArray(data, {w.batch, w.in_channels, w.height, w.width}),
      ToArray(weight, {w.out_channels, w.in_channels / groups, w.kernel_h, w.kernel_w})};
  if (w.bias) in.push_back(ToArray(bias, {w.out_channels}));
  auto out = graph::EvaluateNode(conv, in);
  CHECK(out.ok()) << out.status();
  const float* result = (*out)[0].data<float>();
  std::vector<float> values(result, result + (*out)[0].NumElements());
  for (size_t k = 0; k < values.size(); ++k) {
    if (w.residual) values[k] += residual[k];
    values[k] = static_cast<float>(w.activation.Apply(values[k]));
  }
  return values;
}

}  // namespace kiln::ir::ops::testing

// Lowering of layer_norm, instance_norm and batch_norm (the last when its
// parameters are computed at run time: constant ones were folded away).
#include "absl/strings/str_cat.h"
#include "ir/graph/attrs_nn.h"
#include "ir/ops/lowering_registry.h"
#include "ir/ops/normalization.h"

namespace kiln::ir::ops {
namespace {

int64_t Elements(const std::vector<int64_t>& shape, size_t from = 0) {
  int64_t n = 1;
  for (size_t d = from; d < shape.size(); ++d) n *= shape[d];
  return n;
}

absl::StatusOr<LoweredFunc> LowerLayerNorm(const graph::Node& n, const NodeShapes& s,
                                           const targets::Target& t, const std::string& name) {
  auto attrs = graph::LayerNormAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  const auto& x = s.in[0];
  auto axis = attrs->Axis(x.size());
  if (!axis.ok()) return axis.status();
  RowNormWorkload w;
  w.cols = Elements(x, *axis);
  w.rows = Elements(x) / w.cols;
  w.epsilon = attrs->epsilon;
  w.stats = attrs->stats;
  w.scale_size = Elements(s.in[1]);
  w.bias = s.in.size() > 2;
  if (w.bias) w.bias_size = Elements(s.in[2]);
  // Scale and bias that broadcast along some normalized axes but not all.
  for (int64_t size : {w.scale_size, w.bias ? w.bias_size : int64_t{1}}) {
    if (size != 1 && size != w.cols) {
      return NoKernel(n, "a scale or bias broadcast along part of the normalized axes");
    }
  }
  return BuildRowNorm(w, t, name);
}

absl::StatusOr<LoweredFunc> LowerInstanceNorm(const graph::Node& n, const NodeShapes& s,
                                              const targets::Target& t, const std::string& name) {
  auto attrs = graph::BatchNormAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  const auto& x = s.in[0];
  RowNormWorkload w;
  w.channels = x[1];
  w.cols = Elements(x, 2);
  w.rows = Elements(x) / w.cols;
  w.scale_size = w.bias_size = x[1];
  w.bias = true;
  w.epsilon = attrs->epsilon;
  return BuildRowNorm(w, t, name);
}

absl::StatusOr<LoweredFunc> LowerBatchNorm(const graph::Node& n, const NodeShapes& s,
                                           const targets::Target& t, const std::string& name) {
  auto attrs = graph::BatchNormAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  const auto& x = s.in[0];
  if (s.in.size() != 5 || x.size() < 2) return NoKernel(n, "this batch normalization");
  return BuildBatchNorm(x[0], x[1], Elements(x, 2), attrs->epsilon, t, name);
}

KILN_REGISTER(LoweringRegistry(), "batch_norm", "batch normalization with run-time statistics",
              LowerBatchNorm);
KILN_REGISTER(LoweringRegistry(), "instance_norm", "per-image, per-channel normalization",
              LowerInstanceNorm);
KILN_REGISTER(LoweringRegistry(), "layer_norm", "normalization over the trailing axes",
              LowerLayerNorm);

}  // namespace
}  // namespace kiln::ir::ops

#include "passes/convert_dense.h"

#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ir/graph/attrs_nn.h"
#include "ir/graph/op_registry.h"
#include "ir/ops/dense.h"
#include "ir/ops/dense_template.h"

namespace kiln::passes {
namespace {

using graph::Graph;
using graph::NDArray;
using graph::Node;

bool IsFloatConstant(const Graph& g, int v) {
  return v >= 0 && g.value(v).constant && g.value(v).type.dtype == runtime::DType::kFloat32;
}

// The bias of a Gemm's C operand when it is one value per output feature
// (or one value for all); nullopt otherwise.
std::optional<std::vector<float>> BiasOf(const Graph& g, int c, int64_t m, int64_t n) {
  if (!IsFloatConstant(g, c)) return std::nullopt;
  const auto& s = g.value(c).type.shape;
  const int64_t elements = g.value(c).constant->NumElements();
  const bool per_feature = elements == n && (s.size() == 1 || (s.size() == 2 && s[0] == 1));
  if (!per_feature && elements != 1) return std::nullopt;
  if (m < 1) return std::nullopt;
  const float* p = g.value(c).constant->data<float>();
  std::vector<float> bias(n);
  for (int64_t j = 0; j < n; ++j) bias[j] = p[per_feature ? j : 0];
  return bias;
}

}  // namespace

absl::Status ConvertDense(Graph& g, const targets::Target& target,
                          tuning::ScheduleContext* schedules) {
  for (Node& n : g.mutable_nodes()) {
    if (n.op != "gemm" && n.op != "matmul") continue;
    if (n.inputs.size() < 2 || !IsFloatConstant(g, n.inputs[1])) continue;
    const auto& a = g.value(n.inputs[0]).type.shape;
    const auto& b = g.value(n.inputs[1]).type.shape;
    if (a.size() != 2 || b.size() != 2) continue;
    bool trans_b = false;
    if (n.op == "gemm") {
      auto attrs = graph::GemmAttrs::Read(n);
      if (!attrs.ok() || attrs->trans_a || attrs->alpha != 1.0 || attrs->beta != 1.0) continue;
      trans_b = attrs->trans_b;
    }
    ir::ops::DenseWorkload w;
    w.m = a[0];
    w.k = a[1];
    w.n = trans_b ? b[0] : b[1];
    if ((trans_b ? b[1] : b[0]) != w.k) continue;
    std::optional<std::vector<float>> bias;
    if (n.op == "gemm" && n.inputs.size() > 2 && n.inputs[2] >= 0) {
      bias = BiasOf(g, n.inputs[2], w.m, w.n);
      if (!bias) continue;
    }
    auto config = tuning::ChooseSchedule(schedules, ir::ops::kDenseTemplate,
                                         ir::ops::DenseTaskArgs(w), target);
    if (!config.ok()) return config.status();
    auto c = ir::ops::DenseConfigFrom(*config);
    if (!c.ok()) return c.status();
    auto packed = NDArray::Empty({w.n / c->n_bn, w.k, c->n_bn}, runtime::DType::kFloat32);
    if (!packed.ok()) return packed.status();
    const std::vector<float> packed_values = ir::ops::PackDenseWeight(
        g.value(n.inputs[1]).constant->data<float>(), w.k, w.n, trans_b, c->n_bn);
    std::copy(packed_values.begin(), packed_values.end(), packed->data<float>());
    std::vector<int> inputs = {n.inputs[0], g.AddConstant(n.name + "_packed_weight", *packed)};
    if (bias) {
      auto b_array = NDArray::Empty({w.n}, runtime::DType::kFloat32);
      if (!b_array.ok()) return b_array.status();
      std::copy(bias->begin(), bias->end(), b_array->data<float>());
      inputs.push_back(g.AddConstant(n.name + "_bias", *b_array));
    }
    n = Node{n.name, "dense", inputs, n.outputs, {}};
    n.attrs[tuning::kScheduleAttr] = config->ToJson().Dump();
  }
  return graph::InferTypes(g);
}

}  // namespace kiln::passes

#include "passes/fold_batch_norm.h"

#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ir/graph/attrs_nn.h"
#include "passes/graph_edit.h"

namespace kiln::passes {
namespace {

bool IsFloatConstant(const graph::Graph& g, int id) {
  return id >= 0 && g.value(id).constant && g.value(id).type.dtype == runtime::DType::kFloat32;
}

}  // namespace

absl::Status FoldBatchNorm(graph::Graph& g) {
  std::vector<int> uses = CountUses(g);
  // Value renames: a folded BN's output is the conv's output.
  std::vector<int> rename(g.values().size());
  for (size_t v = 0; v < rename.size(); ++v) rename[v] = v;
  std::vector<bool> removed(g.nodes().size(), false);
  for (size_t k = 0; k < g.nodes().size(); ++k) {
    graph::Node& bn = g.mutable_nodes()[k];
    for (int& in : bn.inputs) {
      if (in >= 0) in = rename[in];
    }
    if (bn.op != "batch_norm") continue;
    const int x = bn.inputs[0];
    const int producer = g.value(x).producer;
    if (producer < 0 || uses[x] != 1) continue;
    graph::Node& conv = g.mutable_nodes()[producer];
    if (conv.op != "conv" || !IsFloatConstant(g, conv.inputs[1])) continue;
    bool params_constant = true;
    for (int i = 1; i < 5; ++i) params_constant &= IsFloatConstant(g, bn.inputs[i]);
    const bool has_bias = conv.inputs.size() > 2 && conv.inputs[2] >= 0;
    if (!params_constant || (has_bias && !IsFloatConstant(g, conv.inputs[2]))) continue;

    auto attrs = graph::BatchNormAttrs::Read(bn);
    if (!attrs.ok()) return attrs.status();
    const double eps = attrs->epsilon;
    const graph::NDArray& w = *g.value(conv.inputs[1]).constant;
    const int64_t oc = w.shape()[0], per_oc = w.NumElements() / oc;
    auto new_w = w.Clone();
    auto new_b = graph::NDArray::Empty({oc}, runtime::DType::kFloat32);
    if (!new_w.ok()) return new_w.status();
    if (!new_b.ok()) return new_b.status();
    const float* gamma = g.value(bn.inputs[1]).constant->data<float>();
    const float* beta = g.value(bn.inputs[2]).constant->data<float>();
    const float* mean = g.value(bn.inputs[3]).constant->data<float>();
    const float* var = g.value(bn.inputs[4]).constant->data<float>();
    const float* bias = has_bias ? g.value(conv.inputs[2]).constant->data<float>() : nullptr;
    for (int64_t o = 0; o < oc; ++o) {
      const double scale = gamma[o] / std::sqrt(static_cast<double>(var[o]) + eps);
      for (int64_t i = 0; i < per_oc; ++i) {
        new_w->data<float>()[o * per_oc + i] =
            static_cast<float>(w.data<float>()[o * per_oc + i] * scale);
      }
      new_b->data<float>()[o] =
          static_cast<float>(((bias ? bias[o] : 0.0) - mean[o]) * scale + beta[o]);
    }
    const std::string name = g.value(bn.outputs[0]).name;
    conv.inputs.resize(3);
    conv.inputs[1] = g.AddConstant(name + "_folded_weight", *new_w);
    conv.inputs[2] = g.AddConstant(name + "_folded_bias", *new_b);
    rename.resize(g.values().size());
    for (size_t v = uses.size(); v < rename.size(); ++v) rename[v] = v;
    uses.resize(g.values().size(), 1);
    rename[bn.outputs[0]] = conv.outputs[0];
    // The conv now produces what the BN did, under the BN's name.
    g.mutable_value(conv.outputs[0]).name = name;
    removed[k] = true;
  }
  RemoveNodes(g, removed);
  std::vector<int> outputs = g.outputs();
  for (int& out : outputs) out = rename[out];
  g.SetOutputs(outputs, g.output_names());
  return g.Verify();
}

}  // namespace kiln::passes

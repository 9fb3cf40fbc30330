#include "passes/convert_dense.h"

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ir/graph/attrs_data_movement.h"
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

// A packed weight: the constant, whether it was transposed, the panel
// width and the factor (Gemm's alpha) it was packed with.
using PackKey = std::tuple<int, bool, int64_t, double>;
// A bias: Gemm's C operand, the output features and Gemm's beta.
using BiasKey = std::tuple<int, int64_t, double>;

}  // namespace

absl::Status ConvertDense(Graph& g, const targets::Target& target,
                          tuning::ScheduleContext* schedules) {
  std::vector<Node> nodes;
  nodes.reserve(g.nodes().size());
  // The packed weights and biases made so far, by what they were made of.
  std::map<PackKey, int> packed_weights;
  std::map<BiasKey, int> biases;
  for (Node& n : g.mutable_nodes()) {
    auto keep = [&] { nodes.push_back(std::move(n)); };
    if (n.op != "gemm" && n.op != "matmul") {
      keep();
      continue;
    }
    if (n.inputs.size() < 2 || !IsFloatConstant(g, n.inputs[1])) {
      keep();
      continue;
    }
    const std::vector<int64_t> a = g.value(n.inputs[0]).type.shape;
    const std::vector<int64_t> b = g.value(n.inputs[1]).type.shape;
    const std::vector<int64_t> out_shape = g.value(n.outputs[0]).type.shape;
    if (b.size() != 2 || a.empty() || g.value(n.inputs[0]).type.dtype != runtime::DType::kFloat32) {
      keep();
      continue;
    }
    graph::GemmAttrs attrs;
    if (n.op == "gemm") {
      auto read = graph::GemmAttrs::Read(n);
      if (!read.ok() || a.size() != 2) {
        keep();
        continue;
      }
      attrs = *read;
    }
    // MatMul's A of any rank is a matrix of its rows: [..., K] -> [M, K].
    ir::ops::DenseWorkload w;
    w.k = attrs.trans_a ? a[0] : a.back();
    w.m = 1;
    if (attrs.trans_a) {
      w.m = a[1];
    } else {
      for (size_t d = 0; d + 1 < a.size(); ++d) w.m *= a[d];
    }
    w.n = attrs.trans_b ? b[0] : b[1];
    if ((attrs.trans_b ? b[1] : b[0]) != w.k || w.m < 1) {
      keep();
      continue;
    }
    // C joins as the bias when it is one value per output feature (or one
    // value for all); other shapes stay a general gemm.
    std::optional<std::vector<float>> bias;
    if (n.op == "gemm" && n.inputs.size() > 2 && n.inputs[2] >= 0 && attrs.beta != 0.0) {
      bias = BiasOf(g, n.inputs[2], w.m, w.n);
      if (!bias) {
        keep();
        continue;
      }
      for (float& v : *bias) v = static_cast<float>(v * attrs.beta);
    }
    auto config = tuning::ChooseSchedule(schedules, ir::ops::kDenseTemplate,
                                         ir::ops::DenseTaskArgs(w), target);
    if (!config.ok()) return config.status();
    auto c = ir::ops::DenseConfigFrom(*config);
    if (!c.ok()) return c.status();
    const std::string name = n.name.empty() ? g.value(n.outputs[0]).name : n.name;
    // Products that share a weight (the steps of an unrolled recurrence)
    // share its packed copy: a copy per step would multiply the model's
    // size by its length and stream a cold copy each step.
    const PackKey weight_key{n.inputs[1], attrs.trans_b, c->n_bn, attrs.alpha};
    auto weight = packed_weights.find(weight_key);
    if (weight == packed_weights.end()) {
      auto packed = NDArray::Empty({w.n / c->n_bn, w.k, c->n_bn}, runtime::DType::kFloat32);
      if (!packed.ok()) return packed.status();
      std::vector<float> packed_values = ir::ops::PackDenseWeight(
          g.value(n.inputs[1]).constant->data<float>(), w.k, w.n, attrs.trans_b, c->n_bn);
      if (attrs.alpha != 1.0) {
        for (float& v : packed_values) v = static_cast<float>(v * attrs.alpha);
      }
      std::copy(packed_values.begin(), packed_values.end(), packed->data<float>());
      weight = packed_weights.emplace(weight_key, g.AddConstant(name + "_packed_weight", *packed))
                   .first;
    }
    // The data as [M, K]: transposed (Gemm's transA) or with MatMul's batch
    // dimensions folded into rows.
    int data = n.inputs[0];
    const graph::TensorType matrix{runtime::DType::kFloat32, {w.m, w.k}};
    if (attrs.trans_a) {
      const int t = g.AddValue(name + "_a_transposed", matrix);
      Node transpose{name + "_transpose_a", "transpose", {data}, {t}, {}};
      graph::TransposeAttrs{{1, 0}}.Write(transpose);
      nodes.push_back(std::move(transpose));
      data = t;
    } else if (a.size() != 2) {
      const int r = g.AddValue(name + "_a_rows", matrix);
      Node reshape{name + "_rows", "reshape", {data}, {r}, {}};
      reshape.attrs["shape"] = std::vector<int64_t>{w.m, w.k};
      nodes.push_back(std::move(reshape));
      data = r;
    }
    std::vector<int> inputs = {data, weight->second};
    if (bias) {
      const BiasKey bias_key{n.inputs[2], w.n, attrs.beta};
      auto b = biases.find(bias_key);
      if (b == biases.end()) {
        auto b_array = NDArray::Empty({w.n}, runtime::DType::kFloat32);
        if (!b_array.ok()) return b_array.status();
        std::copy(bias->begin(), bias->end(), b_array->data<float>());
        b = biases.emplace(bias_key, g.AddConstant(name + "_bias", *b_array)).first;
      }
      inputs.push_back(b->second);
    }
    const int output = n.outputs[0];
    const bool reshape_out = out_shape != std::vector<int64_t>{w.m, w.n};
    const int dense_out =
        reshape_out ? g.AddValue(name + "_dense", {runtime::DType::kFloat32, {w.m, w.n}}) : output;
    Node dense{n.name, "dense", inputs, {dense_out}, {}};
    dense.attrs[tuning::kScheduleAttr] = config->ToJson().Dump();
    nodes.push_back(std::move(dense));
    if (reshape_out) {
      Node reshape{name + "_unfold", "reshape", {dense_out}, {output}, {}};
      reshape.attrs["shape"] = out_shape;
      nodes.push_back(std::move(reshape));
    }
  }
  g.mutable_nodes() = std::move(nodes);
  for (size_t k = 0; k < g.nodes().size(); ++k) {
    for (int out : g.nodes()[k].outputs) g.mutable_value(out).producer = static_cast<int>(k);
  }
  return graph::InferTypes(g);
}

}  // namespace kiln::passes

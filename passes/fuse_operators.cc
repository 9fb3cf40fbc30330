#include "passes/fuse_operators.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "ir/graph/attrs_activation.h"
#include "ir/graph/attrs_nn.h"
#include "ir/graph/fused_elementwise.h"
#include "ir/graph/op_registry.h"
#include "ir/graph/post_ops.h"
#include "ir/ops/elementwise_exprs.h"
#include "passes/graph_edit.h"

namespace kiln::passes {
namespace {

using graph::Graph;
using graph::Node;

// The node reading `value`, when exactly one node does and it is not a graph
// output; -1 otherwise.
int SoleReader(const Graph& g, const std::vector<int>& uses, int value) {
  if (uses[value] != 1) return -1;
  for (size_t k = 0; k < g.nodes().size(); ++k) {
    for (int in : g.nodes()[k].inputs) {
      if (in == value) return static_cast<int>(k);
    }
  }
  return -1;  // the one use is as a graph output
}

// A per-channel constant against a blocked conv output [N, C/b, H, W, b]:
// the bias values in channel order, or empty.
std::vector<float> ChannelConstant(const Graph& g, int value, const std::vector<int64_t>& out) {
  const graph::Value& v = g.value(value);
  if (!v.constant || v.type.dtype != runtime::DType::kFloat32) return {};
  const std::vector<int64_t> per_channel = {1, out[1], 1, 1, out[4]};
  if (v.type.shape != per_channel) return {};
  const float* p = v.constant->data<float>();
  return std::vector<float>(p, p + out[1] * out[4]);
}

}  // namespace

absl::Status FuseConvEpilogue(Graph& g) {
  std::vector<int> uses = CountUses(g);
  std::vector<bool> removed(g.nodes().size(), false);
  for (size_t k = 0; k < g.nodes().size(); ++k) {
    const std::string& op = g.nodes()[k].op;
    if (removed[k] || (op != "conv2d_nchwc" && op != "conv2d_winograd_nchwc" &&
                       op != "depthwise_conv2d_nchwc")) {
      continue;
    }
    // The fused conv moves to the position of the last node it absorbs, so
    // a residual computed between the conv and the add is ready in time.
    size_t at = k;
    for (;;) {
      Node& conv = g.mutable_nodes()[at];
      const int out = conv.outputs[0];
      const int r = SoleReader(g, uses, out);
      if (r < 0) break;
      const Node& next = g.nodes()[r];
      auto epilogue = graph::ConvEpilogueAttrs::Read(conv);
      if (!epilogue.ok()) return epilogue.status();
      const bool has_residual = conv.inputs.size() > 3 && conv.inputs[3] >= 0;
      // An activation ends the epilogue: what follows it applies after it.
      if (!(*epilogue == graph::ConvEpilogueAttrs{})) break;
      if (next.op == "relu") {
        graph::ConvEpilogueAttrs relu;
        relu.lo = 0;
        relu.Write(conv);
      } else if (next.op == "clip" && next.inputs.size() == 1) {
        // Constant bounds (ReLU6 and the like) are attributes by now.
        auto clip = graph::ClipAttrs::Read(next);
        if (!clip.ok()) return clip.status();
        graph::ConvEpilogueAttrs clamp;
        if (clip->min) clamp.lo = static_cast<float>(*clip->min);
        if (clip->max) clamp.hi = static_cast<float>(*clip->max);
        if (!(clamp.lo <= clamp.hi)) break;
        clamp.Write(conv);
      } else if (next.op == "add" && next.inputs.size() == 2) {
        const int other = next.inputs[0] == out ? next.inputs[1] : next.inputs[0];
        const auto& shape = g.value(out).type.shape;
        std::vector<float> bias = ChannelConstant(g, other, shape);
        if (!bias.empty() && !has_residual) {
          const int64_t oc = shape[1] * shape[4];
          auto sum = graph::NDArray::Empty({oc}, runtime::DType::kFloat32);
          if (!sum.ok()) return sum.status();
          const bool had_bias = conv.inputs.size() > 2 && conv.inputs[2] >= 0;
          if (had_bias && !g.value(conv.inputs[2]).constant) break;
          for (int64_t c = 0; c < oc; ++c) {
            sum->data<float>()[c] =
                bias[c] + (had_bias ? g.value(conv.inputs[2]).constant->data<float>()[c] : 0.f);
          }
          const std::string name = absl::StrCat(conv.name, "_bias");
          conv.inputs.resize(std::max<size_t>(conv.inputs.size(), 3), -1);
          conv.inputs[2] = g.AddConstant(name, *sum);
          uses.push_back(1);
        } else if (g.value(other).type.shape == shape && !has_residual && other != out) {
          conv.inputs.resize(4, -1);
          conv.inputs[3] = other;
        } else {
          break;
        }
      } else {
        break;
      }
      // `next` becomes the fused conv; the old position is dropped.
      Node fused = std::move(g.mutable_nodes()[at]);
      fused.outputs = g.nodes()[r].outputs;
      --uses[out];
      g.mutable_nodes()[r] = std::move(fused);
      removed[at] = true;
      at = r;
    }
  }
  RemoveNodes(g, removed);
  return graph::InferTypes(g);
}

// The longest program one fused_elementwise node runs. Real chains (GELU,
// normalizations) are a few steps; without a bound a chain of n operators
// would fuse into one n-step kernel, rebuilding its program at each of the n
// merges: quadratic compile time for a hostile or generated model.
constexpr size_t kMaxFusedSteps = 64;

absl::Status FuseElementwise(Graph& g) {
  std::vector<int> uses = CountUses(g);
  std::vector<bool> removed(g.nodes().size(), false);
  for (size_t k = 0; k < g.nodes().size(); ++k) {
    Node& n = g.mutable_nodes()[k];
    if (!ir::ops::IsFusableElementwise(n.op) && n.op != "fused_elementwise") continue;
    if (n.op != "fused_elementwise") {
      graph::FusedStep step{Node{"", n.op, {}, {}, n.attrs}, {}};
      for (size_t i = 0; i < n.inputs.size(); ++i) step.operands.push_back(i);
      n = graph::MakeFusedElementwise(n.name, {step}, n.inputs, n.outputs[0]);
    }
    // Absorb producers of inputs that are elementwise, read only here and
    // exactly the size of the result (a broadcast input would be recomputed).
    for (bool merged = true; merged;) {
      merged = false;
      auto steps = graph::FusedProgram(g.nodes()[k]);
      if (!steps.ok()) return steps.status();
      for (size_t j = 0; j < g.nodes()[k].inputs.size() && !merged; ++j) {
        const int in = g.nodes()[k].inputs[j];
        const int p = in >= 0 ? g.value(in).producer : -1;
        int reads = 0;
        for (int v : g.nodes()[k].inputs) reads += v == in;
        if (p < 0 || removed[p] || reads != uses[in] ||
            g.value(in).type.shape != g.value(g.nodes()[k].outputs[0]).type.shape ||
            g.nodes()[p].op != "fused_elementwise") {
          continue;
        }
        auto inner = graph::FusedProgram(g.nodes()[p]);
        if (!inner.ok()) return inner.status();
        if (inner->size() + steps->size() > kMaxFusedSteps) continue;
        // New inputs: the producer's, then ours without `in`.
        std::vector<int> inputs = g.nodes()[p].inputs;
        auto operand_of = [&](int value) {
          for (size_t i = 0; i < inputs.size(); ++i) {
            if (inputs[i] == value) return static_cast<int64_t>(i);
          }
          inputs.push_back(value);
          return static_cast<int64_t>(inputs.size() - 1);
        };
        std::vector<graph::FusedStep> program = *inner;
        const int64_t shift = static_cast<int64_t>(inner->size());
        for (graph::FusedStep step : *steps) {
          for (int64_t& o : step.operands) {
            if (o < 0) {
              o -= shift;
            } else if (g.nodes()[k].inputs[o] == in) {
              o = -shift;  // the producer's last step
            } else {
              o = operand_of(g.nodes()[k].inputs[o]);
            }
          }
          program.push_back(std::move(step));
        }
        // Reads move: a value both nodes read is now read once (GELU's
        // input, which its division and its product both read).
        Node& consumer = g.mutable_nodes()[k];
        auto count = [&](const std::vector<int>& values, int delta) {
          for (int v : values) {
            if (v >= 0) uses[v] += delta;
          }
        };
        count(consumer.inputs, -1);
        count(g.nodes()[p].inputs, -1);
        count(inputs, +1);
        consumer = graph::MakeFusedElementwise(consumer.name, program, inputs,
                                               consumer.outputs[0]);
        removed[p] = true;
        merged = true;
      }
    }
  }
  RemoveNodes(g, removed);
  // Single-step programs are plain elementwise nodes again: easier to read.
  for (Node& n : g.mutable_nodes()) {
    if (n.op != "fused_elementwise") continue;
    auto steps = graph::FusedProgram(n);
    if (!steps.ok()) return steps.status();
    if (steps->size() != 1) continue;
    bool identity_operands = true;
    for (size_t i = 0; i < (*steps)[0].operands.size(); ++i) {
      identity_operands &= (*steps)[0].operands[i] == static_cast<int64_t>(i);
    }
    if (!identity_operands || (*steps)[0].operands.size() != n.inputs.size()) continue;
    n = Node{n.name, (*steps)[0].node.op, n.inputs, n.outputs, (*steps)[0].node.attrs};
  }
  return graph::InferTypes(g);
}

namespace {

int64_t Elements(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

// Whether `operand` of a consumer computing `consumer` reads the same
// elements when the post ops read it against the kernel's `kernel` shape
// (the consumer reads a reshape of the kernel's output): it has their
// element count, or it varies only along trailing dimensions both shapes
// share (a bias [N] against [1, M, N] and [M, N]).
bool SameElementsThroughReshape(const std::vector<int64_t>& kernel,
                                const std::vector<int64_t>& consumer,
                                const std::vector<int64_t>& operand) {
  if (Elements(operand) == Elements(consumer)) return true;
  size_t shared = 0;
  while (shared < kernel.size() && shared < consumer.size() &&
         kernel[kernel.size() - 1 - shared] == consumer[consumer.size() - 1 - shared]) {
    ++shared;
  }
  for (size_t d = 0; d < operand.size(); ++d) {
    if (operand[d] != 1 && operand.size() - d > shared) return false;
  }
  return true;
}

}  // namespace

absl::Status FusePostOps(Graph& g) {
  const std::vector<int> uses = CountUses(g);
  std::vector<bool> removed(g.nodes().size(), false);
  // A reshape back to the consumer's shape, after the fused kernel at k.
  absl::flat_hash_map<size_t, Node> reshape_after;
  for (size_t k = 0; k < g.nodes().size(); ++k) {
    const Node& e = g.nodes()[k];
    if (e.op != "fused_elementwise" && !ir::ops::IsFusableElementwise(e.op)) continue;
    const graph::TensorType& result = g.value(e.outputs[0]).type;
    if (result.dtype != runtime::DType::kFloat32) continue;
    for (int in : e.inputs) {
      if (in < 0 || !(g.value(in).type == result)) continue;
      int reads = 0;
      for (int other : e.inputs) reads += other == in;
      if (reads != uses[in]) continue;  // the operand has other readers
      // The kernel's output, or a reshape of it that only this node reads.
      int kernel_out = in;
      int p = g.value(in).producer;
      if (p >= 0 && !removed[p] && g.nodes()[p].op == "reshape") {
        kernel_out = g.nodes()[p].inputs[0];
        if (kernel_out < 0 || uses[kernel_out] != 1) continue;
        p = g.value(kernel_out).producer;
      }
      if (p < 0 || removed[p]) continue;
      const Node& kernel = g.nodes()[p];
      auto def = graph::OpRegistry().Find(kernel.op);
      const size_t fixed = def.ok() ? def->post_op_inputs : 0;
      if (fixed == 0 || graph::HasPostOps(kernel)) continue;
      const std::vector<int64_t>& kernel_shape = g.value(kernel_out).type.shape;
      bool operands_fit = true;
      for (int other : e.inputs) {
        if (other == in) continue;
        const graph::TensorType& t = g.value(other).type;
        operands_fit &= t.dtype == runtime::DType::kFloat32 &&
                        graph::PostOpOperandShape(kernel_shape, t.shape).has_value() &&
                        SameElementsThroughReshape(kernel_shape, result.shape, t.shape);
      }
      if (!operands_fit) continue;
      const Node program = graph::AsFusedElementwise(e);
      // The fused kernel takes the node's place: its other operands are
      // computed by then.
      Node fused = kernel;
      if (auto st = graph::AppendPostOps(fused, program, in, fixed); !st.ok()) return st;
      if (kernel_out != in) {
        removed[g.value(in).producer] = true;
        fused.outputs = {kernel_out};
        reshape_after[k] = Node{e.name, "reshape", {kernel_out}, e.outputs,
                                {{"shape", result.shape}}};
      }
      g.mutable_nodes()[k] = std::move(fused);
      removed[p] = true;
      break;
    }
  }
  std::vector<Node> nodes;
  for (size_t k = 0; k < g.nodes().size(); ++k) {
    if (removed[k]) continue;
    nodes.push_back(std::move(g.mutable_nodes()[k]));
    if (auto it = reshape_after.find(k); it != reshape_after.end()) {
      nodes.push_back(std::move(it->second));
    }
  }
  ReplaceNodes(g, std::move(nodes));
  return graph::InferTypes(g);
}

}  // namespace kiln::passes

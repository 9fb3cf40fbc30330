#include "passes/convert_to_nchwc.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ir/graph/attrs_data_movement.h"
#include "ir/graph/attrs_nn.h"
#include "ir/graph/attrs_reduce.h"
#include "ir/graph/op_registry.h"
#include "ir/ops/conv2d_depthwise_nchwc.h"
#include "ir/ops/conv2d_depthwise_nchwc_template.h"
#include "ir/ops/conv2d_nchwc_template.h"
#include "ir/ops/conv2d_node_workload.h"
#include "ir/ops/conv2d_winograd.h"
#include "ir/ops/elementwise_exprs.h"
#include "ir/ops/layout.h"

namespace kiln::passes {
namespace {

using graph::Graph;
using graph::Node;
using graph::NDArray;

// The bare workload of a graph conv node whose data has the NCHW type `x`
// (the graph may hold it blocked by now), and whether it is depthwise (one
// filter per channel), or FailedPrecondition when it is not a 2-D float
// convolution, ungrouped or depthwise, with constant weights and symmetric
// pads.
struct BlockableConv {
  ir::ops::Conv2dWorkload workload;
  bool depthwise = false;
};

absl::StatusOr<BlockableConv> BlockableConv2d(const Graph& g, const Node& conv,
                                              const graph::TensorType& x) {
  const auto not_blockable = [&](absl::string_view why) {
    return absl::FailedPreconditionError(
        absl::StrCat("conv ", conv.name, " stays in NCHW: ", why));
  };
  if (conv.inputs.size() < 2) return not_blockable("not a convolution");
  const graph::Value& weight = g.value(conv.inputs[1]);
  if (x.shape.size() != 4 || x.dtype != runtime::DType::kFloat32) {
    return not_blockable("not a 2-D float convolution");
  }
  if (!weight.constant) return not_blockable("its weights are not constant");
  auto attrs = graph::Conv2dAttrs::Read(conv);
  if (!attrs.ok()) return attrs.status();
  const auto& k = weight.type.shape;
  const bool depthwise =
      attrs->group > 1 && attrs->group == x.shape[1] && k[0] == attrs->group && k[1] == 1;
  if (attrs->group != 1 && !depthwise) return not_blockable("grouped");
  auto w = ir::ops::Conv2dWorkloadOf(conv, x.shape, k[0], k[2], k[3]);
  if (!w.ok()) return not_blockable(w.status().message());
  if (auto st = ir::ops::ValidateConv2d(*w); !st.ok()) return st;
  return BlockableConv{*w, depthwise};
}

class NCHWcConverter {
 public:
  NCHWcConverter(Graph& g, const targets::Target& target, tuning::ScheduleContext* schedules)
      : g_(g), target_(target), schedules_(schedules), block_(g.values().size(), 0) {
    for (const graph::Value& v : g.values()) plain_types_.push_back(v.type);
  }

  absl::Status Run() {
    std::vector<Node> old = std::move(g_.mutable_nodes());
    g_.mutable_nodes().clear();
    FindChannelGroups(old);
    for (Node& n : old) {
      absl::Status st = absl::OkStatus();
      auto conv = n.op == "conv" ? PlainConv(n) : absl::NotFoundError("not a conv");
      if (conv.ok() && conv->depthwise) {
        st = ConvertDepthwise(std::move(n), conv->workload);
      } else if (conv.ok()) {
        st = ConvertConv(std::move(n), conv->workload);
      } else if (ir::ops::IsFusableElementwise(n.op)) {
        st = ConvertElementwise(std::move(n));
      } else if (RunsBlocked(n) && Block(n.inputs[0]) > 0) {
        st = KeepBlocked(std::move(n), Block(n.inputs[0]));
      } else if (std::optional<Node> blocked = Reindexed(n)) {
        st = ConvertReindexed(*std::move(blocked));
      } else {
        auto plain = RequirePlain(std::move(n));
        st = plain.ok() ? Emit(*std::move(plain)) : plain.status();
      }
      if (!st.ok()) return st;
    }
    // Graph outputs keep their names and plain layout.
    std::vector<int> outputs = g_.outputs();
    for (int& out : outputs) {
      if (Block(out) == 0) continue;
      const std::string name = g_.value(out).name;
      g_.mutable_value(out).name = absl::StrCat(name, "_nchw", Block(out), "c");
      auto plain = Transform(out, 0);
      if (!plain.ok()) return plain.status();
      g_.mutable_value(*plain).name = name;
      out = *plain;
    }
    g_.SetOutputs(outputs, g_.output_names());
    return graph::InferTypes(g_);
  }

 private:
  int64_t Block(int value) const { return value >= 0 ? block_[value] : 0; }

  // Values whose every reader moves their channels apart in groups
  // (OpDef::input_channel_groups), with the number of groups: a conv writing
  // them blocks its output within a group.
  void FindChannelGroups(const std::vector<Node>& nodes) {
    std::map<int, int64_t> groups;
    std::set<int> other_readers;
    for (const Node& n : nodes) {
      auto def = graph::OpRegistry().Find(n.op);
      const bool grouped = def.ok() && def->input_channel_groups && !n.inputs.empty();
      for (int in : n.inputs) {
        if (grouped && in == n.inputs[0]) {
          groups[in] = def->input_channel_groups(n);
        } else {
          other_readers.insert(in);
        }
      }
    }
    for (int v : other_readers) groups.erase(v);
    for (int v : g_.outputs()) groups.erase(v);
    channel_groups_ = std::move(groups);
  }

  int64_t ChannelGroups(int value) const {
    auto it = channel_groups_.find(value);
    return it == channel_groups_.end() ? 1 : it->second;
  }

  // The conv's workload from its input's NCHW type (which may be blocked by now).
  absl::StatusOr<BlockableConv> PlainConv(const Node& conv) const {
    if (conv.inputs.empty() || conv.inputs[0] < 0) return absl::InvalidArgumentError("no data");
    return BlockableConv2d(g_, conv, plain_types_[conv.inputs[0]]);
  }

  // Constant `weight` packed by `pack` into `shape` (`kind` names the
  // packing: "packed", "winograd" or "depthwise"), added to the graph once
  // and named after `n`: convolutions that share a weight and its packing
  // share the packed copy.
  using Packing = std::function<absl::StatusOr<std::vector<float>>()>;
  absl::StatusOr<int> PackedWeight(const Node& n, int weight, const std::string& kind,
                                   const std::vector<int64_t>& shape, const Packing& pack) {
    const PackKey key{weight, kind, shape};
    if (auto it = packed_.find(key); it != packed_.end()) return it->second;
    auto values = pack();
    if (!values.ok()) return values.status();
    auto array = NDArray::Empty(shape, runtime::DType::kFloat32);
    if (!array.ok()) return array.status();
    std::copy(values->begin(), values->end(), array->data<float>());
    const int id = g_.AddConstant(absl::StrCat(n.name, "_", kind, "_weight"), *array);
    packed_[key] = id;
    return id;
  }

  // The blocked conv node `op` replacing conv `n` of workload `w`, reading
  // `data` and the packed `weight`, with n's bias.
  static Node BlockedConv(const Node& n, std::string op, const ir::ops::Conv2dWorkload& w,
                          int data, int weight) {
    Node conv{n.name, std::move(op), {data, weight}, n.outputs, {}};
    if (n.inputs.size() > 2 && n.inputs[2] >= 0) conv.inputs.push_back(n.inputs[2]);
    graph::Conv2dAttrs attrs;
    attrs.strides = {w.stride_h, w.stride_w};
    attrs.pads = {w.pad_h, w.pad_w, w.pad_h, w.pad_w};
    attrs.dilations = {w.dilation_h, w.dilation_w};
    attrs.Write(conv);
    graph::ConvEpilogueAttrs{}.Write(conv);
    return conv;
  }

  // One filter per channel: in the producer's block when it divides the
  // channels, as every conv follows its input.
  absl::Status ConvertDepthwise(Node n, const ir::ops::Conv2dWorkload& w) {
    const int64_t incoming = Block(n.inputs[0]);
    const int64_t block = incoming > 0 && w.in_channels % incoming == 0
                              ? incoming
                              : ir::ops::DepthwiseBlock(w.in_channels, target_);
    auto data = Transform(n.inputs[0], block);
    if (!data.ok()) return data.status();
    auto weight = PackedWeight(
        n, n.inputs[1], "depthwise", {w.in_channels / block, w.kernel_h, w.kernel_w, block},
        [&]() -> absl::StatusOr<std::vector<float>> {
          return ir::ops::PackDepthwiseWeight(g_.value(n.inputs[1]).constant->data<float>(),
                                              w.in_channels, w.kernel_h, w.kernel_w, block);
        });
    if (!weight.ok()) return weight.status();
    auto config = tuning::ChooseSchedule(schedules_, ir::ops::kDepthwiseTemplate,
                                         ir::ops::DepthwiseTaskArgs(w, block), target_);
    if (!config.ok()) return config.status();
    Node conv = BlockedConv(n, "depthwise_conv2d_nchwc", w, *data, *weight);
    conv.attrs[tuning::kScheduleAttr] = config->ToJson().Dump();
    return KeepBlocked(std::move(conv), block);
  }

  absl::Status Emit(Node n) {
    if (block_.size() < g_.values().size()) block_.resize(g_.values().size(), 0);
    const int k = g_.AddNode(std::move(n));
    // Types are needed right away by the nodes that follow.
    auto def = graph::OpRegistry().Find(g_.nodes()[k].op);
    if (!def.ok()) return def.status();
    std::vector<const graph::TensorType*> in;
    for (int v : g_.nodes()[k].inputs) in.push_back(v >= 0 ? &g_.value(v).type : nullptr);
    auto types = def->infer(g_.nodes()[k], in);
    if (!types.ok()) {
      return absl::Status(types.status().code(),
                          absl::StrCat("converting ", g_.nodes()[k].name, " to NCHW[x]c: ",
                                       types.status().message()));
    }
    for (size_t i = 0; i < types->size(); ++i) {
      g_.mutable_value(g_.nodes()[k].outputs[i]).type = (*types)[i];
    }
    return absl::OkStatus();
  }

  // `value` in layout `block` (0 = plain), converting once and reusing.
  absl::StatusOr<int> Transform(int value, int64_t block) {
    if (Block(value) == block) return value;
    auto it = converted_.find({value, block});
    if (it != converted_.end()) return it->second;
    const std::string name = absl::StrCat(g_.value(value).name, "_to_",
                                          block ? absl::StrCat("nchw", block, "c") : "nchw");
    const int out = g_.AddValue(name, g_.value(value).type);
    Node t{name, "layout_transform", {value}, {out}, {}};
    graph::LayoutTransformAttrs{Block(value), block}.Write(t);
    // Blocks of one channel hold plain NCHW's bytes: a reshape, which
    // costs nothing between kernels.
    if (Block(value) + block == 1) {
      std::vector<int64_t> shape = g_.value(value).type.shape;
      if (block == 1) {
        shape.push_back(1);
      } else {
        shape.pop_back();
      }
      t = Node{name, "reshape", {value}, {out}, {{"shape", shape}}};
    }
    if (auto st = Emit(std::move(t)); !st.ok()) return st;
    block_[out] = block;
    converted_[{value, block}] = out;
    return out;
  }

  absl::StatusOr<Node> RequirePlain(Node n) {
    for (int& in : n.inputs) {
      if (Block(in) == 0) continue;
      auto plain = Transform(in, 0);
      if (!plain.ok()) return plain.status();
      in = *plain;
    }
    return n;
  }

  absl::Status KeepBlocked(Node n, int64_t block) {
    const int out = n.outputs[0];
    if (auto st = Emit(std::move(n)); !st.ok()) return st;
    block_[out] = block;
    return absl::OkStatus();
  }

  // Operators computing each channel alone keep their input's blocks:
  // pooling, and reductions over the spatial axes only.
  static bool RunsBlocked(const Node& n) {
    auto def = graph::OpRegistry().Find(n.op);
    if (!def.ok()) return false;
    if (def->pattern == graph::OpPattern::kReduction) {
      auto attrs = graph::ReduceAttrs::Read(n);
      return attrs.ok() && attrs->KeepsSpatialAxesOnly();
    }
    return def->channelwise;
  }

  // The block of the first blocked input of `n`; else that of a blocked
  // copy already made of one of its plain inputs for another reader (the
  // slices of a split convolution's input); else 0.
  int64_t FirstBlock(const Node& n) const {
    for (int in : n.inputs) {
      if (Block(in) > 0) return Block(in);
    }
    for (int in : n.inputs) {
      auto it = converted_.lower_bound({in, 1});
      if (it != converted_.end() && it->first.first == in) return it->first.second;
    }
    return 0;
  }

  // `n` re-indexed by its registry entry (OpDef::to_nchwc) for the block of
  // its first blocked input, when it has one and the operator can.
  std::optional<Node> Reindexed(const Node& n) const {
    const int64_t block = FirstBlock(n);
    if (block == 0) return std::nullopt;
    auto def = graph::OpRegistry().Find(n.op);
    if (!def.ok() || !def->to_nchwc) return std::nullopt;
    std::vector<const graph::TensorType*> plain;
    for (int in : n.inputs) {
      if (in < 0) return std::nullopt;
      plain.push_back(&plain_types_[in]);
    }
    return def->to_nchwc(n, plain, block);
  }

  // A re-indexed node with every input brought to the block it was made for.
  absl::Status ConvertReindexed(Node n) {
    const int64_t block = FirstBlock(n);
    for (int& in : n.inputs) {
      auto blocked = Transform(in, block);
      if (!blocked.ok()) return blocked.status();
      in = *blocked;
    }
    return KeepBlocked(std::move(n), block);
  }

  absl::Status ConvertConv(Node n, const ir::ops::Conv2dWorkload& w) {
    const ir::ops::Conv2dBlocks blocks =
        ir::ops::GraphConv2dBlocks(w, target_, Block(n.inputs[0]), ChannelGroups(n.outputs[0]));
    auto config = tuning::ChooseSchedule(schedules_, ir::ops::kConv2dNCHWcTemplate,
                                         ir::ops::Conv2dNCHWcTaskArgs(w, &blocks), target_);
    if (!config.ok()) return config.status();
    auto chosen = ir::ops::Conv2dNCHWcConfigFrom(*config);
    if (!chosen.ok()) return chosen.status();
    const ir::ops::Conv2dNCHWcConfig& c = *chosen;
    if (w.in_channels % c.ic_bn != 0 || w.out_channels % c.oc_bn != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the schedule chosen for ", w.ToString(), " has blocks ic_bn=", c.ic_bn,
          ", oc_bn=", c.oc_bn, " that do not divide its channels"));
    }
    auto data = Transform(n.inputs[0], c.ic_bn);
    if (!data.ok()) return data.status();
    const bool winograd = c.winograd_tile > 0 && ir::ops::WinogradApplies(w);
    const int64_t alpha = c.winograd_tile + 2;
    const std::vector<int64_t> packed_shape =
        winograd ? std::vector<int64_t>{alpha * alpha, w.out_channels / c.oc_bn,
                                        w.in_channels / c.ic_bn, c.ic_bn, c.oc_bn}
                 : std::vector<int64_t>{w.out_channels / c.oc_bn, w.in_channels / c.ic_bn,
                                        w.kernel_h, w.kernel_w, c.ic_bn, c.oc_bn};
    auto weight = PackedWeight(
        n, n.inputs[1], winograd ? "winograd" : "packed", packed_shape,
        [&]() -> absl::StatusOr<std::vector<float>> {
          const NDArray& oihw_weight = *g_.value(n.inputs[1]).constant;
          std::vector<float> oihw(oihw_weight.data<float>(),
                                  oihw_weight.data<float>() + oihw_weight.NumElements());
          if (winograd) {
            return ir::ops::TransformWinogradWeights(oihw, w.out_channels, w.in_channels,
                                                     c.winograd_tile, c.ic_bn, c.oc_bn);
          }
          return ir::ops::PackOIHWio(oihw, w.out_channels, w.in_channels, w.kernel_h,
                                     w.kernel_w, c.ic_bn, c.oc_bn);
        });
    if (!weight.ok()) return weight.status();
    Node conv = BlockedConv(n, winograd ? "conv2d_winograd_nchwc" : "conv2d_nchwc", w, *data,
                            *weight);
    if (winograd) conv.attrs["winograd_tile"] = c.winograd_tile;
    conv.attrs[tuning::kScheduleAttr] = config->ToJson().Dump();
    return KeepBlocked(std::move(conv), c.oc_bn);
  }

  // A per-channel constant ([C], [C, 1, 1] or [1, C, 1, 1] against a 4-D
  // [N, C, H, W] result) re-shaped to [1, C/b, 1, 1, b]: the same bytes,
  // since channel c sits at (c / b, c % b) in both. Scalars stay as they are.
  std::optional<int> BlockedConstant(int value, int64_t channels, int64_t block) {
    const graph::Value& v = g_.value(value);
    if (!v.constant || v.type.dtype != runtime::DType::kFloat32) return std::nullopt;
    std::vector<int64_t> s = v.type.shape;
    while (s.size() < 4) s.insert(s.begin(), 1);
    if (s.size() != 4 || s[0] != 1 || s[2] != 1 || s[3] != 1) return std::nullopt;
    if (s[1] == 1) return value;
    if (s[1] != channels) return std::nullopt;
    NDArray reshaped =
        NDArray::View(v.constant->raw_data(), {1, channels / block, 1, 1, block}, v.type.dtype);
    auto copy = reshaped.Clone();
    if (!copy.ok()) return std::nullopt;
    return g_.AddConstant(absl::StrCat(v.name, "_nchw", block, "c"), *copy);
  }

  absl::Status ConvertElementwise(Node n) {
    const std::vector<int64_t>& out_shape = g_.value(n.outputs[0]).type.shape;
    int64_t block = 0;
    for (int in : n.inputs) {
      if (Block(in) > 0 && out_shape.size() == 4 &&
          g_.value(in).type.shape.size() == 5) {
        block = Block(in);
        break;
      }
    }
    if (block > 0) {
      std::vector<int> inputs;
      for (int in : n.inputs) {
        const auto& s = g_.value(in).type.shape;
        if (Block(in) > 0 || (s.size() == 4 && s == out_shape && !g_.value(in).constant)) {
          // Blocked already (broadcasting works in the blocked shape too), or
          // full-size and made so.
          auto t = Transform(in, block);
          if (!t.ok()) return t.status();
          inputs.push_back(*t);
        } else if (auto c = BlockedConstant(in, out_shape[1], block)) {
          inputs.push_back(*c);
        } else {
          break;
        }
      }
      if (inputs.size() == n.inputs.size()) {
        n.inputs = inputs;
        return KeepBlocked(std::move(n), block);
      }
    }
    auto plain = RequirePlain(std::move(n));
    if (!plain.ok()) return plain.status();
    return Emit(*std::move(plain));
  }

  Graph& g_;
  const targets::Target& target_;
  tuning::ScheduleContext* schedules_;
  std::vector<int64_t> block_;  // per value: 0 plain, else NCHW[block]c
  std::vector<graph::TensorType> plain_types_;  // of the values before conversion
  std::map<std::pair<int, int64_t>, int> converted_;
  std::map<int, int64_t> channel_groups_;  // see FindChannelGroups
  using PackKey = std::tuple<int, std::string, std::vector<int64_t>>;
  std::map<PackKey, int> packed_;  // see PackedWeight
};

}  // namespace

absl::Status ConvertToNCHWc(graph::Graph& g, const targets::Target& target,
                            tuning::ScheduleContext* schedules) {
  return NCHWcConverter(g, target, schedules).Run();
}

}  // namespace kiln::passes

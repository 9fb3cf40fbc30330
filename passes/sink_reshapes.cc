#include "passes/sink_reshapes.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "ir/graph/op_registry.h"
#include "ir/graph/ops_common.h"
#include "passes/graph_edit.h"

namespace kiln::passes {
namespace {

using graph::ops::NumElements;

bool IsReshape(const graph::Node& n) {
  return n.op == "reshape" && n.inputs.size() == 1 && n.inputs[0] >= 0 && n.outputs.size() == 1;
}

// Which nodes to move and where each value came from, decided on the graph
// as it is, then applied by one walk over the nodes.
class ReshapeSinker {
 public:
  explicit ReshapeSinker(graph::Graph& g)
      : g_(g), readers_(g.values().size()) {
    for (size_t k = 0; k < g.nodes().size(); ++k) {
      for (int in : g.nodes()[k].inputs) {
        if (in >= 0) readers_[in].push_back(static_cast<int>(k));
      }
    }
    for (int out : g.outputs()) is_output_.insert(out);
  }

  absl::Status Run() {
    // Candidates are chosen so that every reshape they bypass dies; dropping
    // one can strand a reshape another relied on, so repeat while that
    // changes something. A crafted chain could drop one node per round,
    // quadratic in the graph; the rounds are capped, since a candidate
    // kept past the cap costs at most a reshape, never correctness (Apply
    // moves a node only where its operands' shapes allow).
    constexpr int kMaxRounds = 4;
    std::vector<bool> sink(g_.nodes().size(), false);
    for (size_t k = 0; k < sink.size(); ++k) sink[k] = !IsReshape(g_.nodes()[k]);
    bool changed = true;
    for (int round = 0; changed && round < kMaxRounds; ++round) {
      changed = false;
      std::vector<int> source = Sources(sink);
      for (size_t k = 0; k < sink.size(); ++k) {
        if (!sink[k]) continue;
        if (InnerShape(g_.nodes()[k], source).empty() ||
            !BypassesOnlyDyingReshapes(k, sink, source)) {
          sink[k] = false;
          changed = true;
        }
      }
    }
    return Apply(sink);
  }

 private:
  // For each value, the value it is a reshape of (-1 if none) once the
  // nodes marked in `sink` are moved: their outputs become reshapes too.
  std::vector<int> Sources(const std::vector<bool>& sink) {
    std::vector<int> source(g_.values().size(), -1);
    moved_inner_.clear();
    for (size_t k = 0; k < g_.nodes().size(); ++k) {
      const graph::Node& n = g_.nodes()[k];
      if (IsReshape(n)) {
        const int x = n.inputs[0];
        source[n.outputs[0]] = source[x] >= 0 ? source[x] : x;
      } else if (sink[k]) {
        std::vector<int64_t> inner = InnerShape(n, source);
        if (inner.empty()) continue;
        // Moved, its output is a reshape of a value (made later) of shape
        // `inner`; the output stands in for that value.
        source[n.outputs[0]] = n.outputs[0];
        moved_inner_[n.outputs[0]] = std::move(inner);
      }
    }
    return source;
  }

  // The shape the moved node would compute in, or empty if it cannot move.
  std::vector<int64_t> InnerShape(const graph::Node& n, const std::vector<int>& source) const {
    const graph::OpPattern pattern = graph::PatternOf(n.op);
    if ((pattern != graph::OpPattern::kElementwise && pattern != graph::OpPattern::kBroadcast) ||
        n.outputs.size() != 1) {
      return {};
    }
    const std::vector<int64_t>& out = g_.value(n.outputs[0]).type.shape;
    std::vector<int64_t> inner;
    bool reshaped = false;
    for (int in : n.inputs) {
      if (in < 0) return {};
      const std::vector<int64_t>& shape = g_.value(in).type.shape;
      if (NumElements(shape) == 1 && shape.size() <= out.size()) continue;  // broadcasts anywhere
      if (shape != out || source[in] < 0) return {};
      const std::vector<int64_t>& from = InnerShapeOf(in, source);
      if (reshaped && from != inner) return {};
      inner = from;
      reshaped = true;
    }
    if (!reshaped || inner == out) return {};
    // Scalars must still broadcast without raising the rank.
    for (int in : n.inputs) {
      if (g_.value(in).type.shape.size() > inner.size()) return {};
    }
    return inner;
  }

  // The shape of what `value` is a reshape of.
  const std::vector<int64_t>& InnerShapeOf(int value, const std::vector<int>& source) const {
    const int from = source[value];
    auto moved = moved_inner_.find(from);
    return moved != moved_inner_.end() ? moved->second : g_.value(from).type.shape;
  }

  // Whether each reshape whose output `k` reads is read only by nodes that
  // move or reshape again, so that moving `k` leaves no reshape alive.
  bool BypassesOnlyDyingReshapes(size_t k, const std::vector<bool>& sink,
                                 const std::vector<int>& source) const {
    const graph::Node& n = g_.nodes()[k];
    for (int in : n.inputs) {
      if (source[in] < 0 || is_output_.contains(in) ||
          g_.value(in).type.shape != g_.value(n.outputs[0]).type.shape) {
        continue;
      }
      for (int reader : readers_[in]) {
        if (!sink[reader] && !IsReshape(g_.nodes()[reader])) return false;
      }
    }
    return true;
  }

  absl::Status Apply(const std::vector<bool>& sink) {
    std::vector<graph::Node> nodes;
    std::vector<int> alias(g_.values().size());
    for (size_t v = 0; v < alias.size(); ++v) alias[v] = static_cast<int>(v);
    std::vector<int> before(g_.values().size(), -1);  // what a reshape's output was reshaped from
    for (size_t k = 0; k < sink.size(); ++k) {
      graph::Node n = g_.nodes()[k];
      for (int& in : n.inputs) {
        if (in >= 0) in = alias[in];
      }
      const std::vector<int> aliased_inputs = n.inputs;
      if (IsReshape(n)) {
        const int x = before[n.inputs[0]] >= 0 ? before[n.inputs[0]] : n.inputs[0];
        const int y = n.outputs[0];
        if (g_.value(x).type.shape == g_.value(y).type.shape && !is_output_.contains(y)) {
          alias[y] = x;
          continue;
        }
        n.inputs[0] = x;
        before[y] = x;
        nodes.push_back(std::move(n));
        continue;
      }
      if (!sink[k]) {
        nodes.push_back(std::move(n));
        continue;
      }
      const int y = n.outputs[0];
      const graph::TensorType out = g_.value(y).type;
      // Every operand of the output's shape must be a reshape of one inner
      // shape; one-element operands stay as they are.
      std::vector<const graph::TensorType*> types;
      const std::vector<int64_t>* inner_shape = nullptr;
      bool movable = NumElements(out.shape) != 1;
      for (int& in : n.inputs) {
        if (movable && NumElements(g_.value(in).type.shape) != 1) {
          movable = before[in] >= 0 && g_.value(in).type.shape == out.shape &&
                    (inner_shape == nullptr || g_.value(before[in]).type.shape == *inner_shape);
          if (movable) {
            in = before[in];
            inner_shape = &g_.value(in).type.shape;
          }
        }
        types.push_back(&g_.value(in).type);
      }
      movable = movable && inner_shape != nullptr;
      // The operator itself must agree to the new shapes (one that reads
      // an axis from a one-element operand would not).
      auto def = graph::OpRegistry().Find(n.op);
      if (!def.ok()) return def.status();
      absl::StatusOr<std::vector<graph::TensorType>> inferred;
      if (movable) inferred = def->infer(n, types);
      if (!movable || !inferred.ok() || inferred->size() != 1 ||
          (*inferred)[0].dtype != out.dtype || (*inferred)[0].shape != *inner_shape) {
        n.inputs = aliased_inputs;  // stays where it was
        nodes.push_back(std::move(n));
        continue;
      }
      const int inner = g_.AddValue(absl::StrCat(g_.value(y).name, "/before_reshape"),
                                    (*inferred)[0]);
      before.resize(g_.values().size(), -1);
      alias.push_back(inner);
      n.outputs = {inner};
      graph::Node reshape;
      reshape.name = absl::StrCat(n.name.empty() ? n.op : n.name, "/reshape");
      reshape.op = "reshape";
      reshape.inputs = {inner};
      reshape.outputs = {y};
      reshape.attrs["shape"] = out.shape;
      before[y] = inner;
      nodes.push_back(std::move(n));
      nodes.push_back(std::move(reshape));
    }
    ReplaceNodes(g_, std::move(nodes));
    return g_.Verify();
  }

  graph::Graph& g_;
  std::vector<std::vector<int>> readers_;
  absl::flat_hash_set<int> is_output_;
  // By the output of each node Sources() moves, the shape it computes in.
  absl::flat_hash_map<int, std::vector<int64_t>> moved_inner_;
};

}  // namespace

absl::Status SinkReshapes(graph::Graph& g) { return ReshapeSinker(g).Run(); }

}  // namespace kiln::passes

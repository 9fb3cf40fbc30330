#include "passes/fuse_layer_norm.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ir/graph/attrs_nn.h"
#include "ir/graph/attrs_reduce.h"
#include "ir/graph/op_registry.h"
#include "passes/graph_edit.h"

namespace kiln::passes {
namespace {

using graph::Graph;
using graph::Node;

class LayerNormMatcher {
 public:
  explicit LayerNormMatcher(Graph& g)
      : g_(g), uses_(CountUses(g)), reader_(g.values().size(), -1) {
    for (size_t k = g.nodes().size(); k-- > 0;) {
      for (int in : g.nodes()[k].inputs) {
        if (in >= 0) reader_[in] = static_cast<int>(k);
      }
    }
  }

  // The layer_norm that the pattern ending at node `div` computes, or
  // nullopt; `absorbed` gets the nodes it replaces.
  std::optional<Node> Match(int div, std::vector<int>* absorbed) {
    absorbed->clear();
    const Node& q = g_.nodes()[div];
    if (q.op != "div" || q.inputs.size() != 2) return std::nullopt;
    const int d = q.inputs[0];
    // sqrt(v + eps)
    const Node* root = SoleProducer(q.inputs[1], "sqrt", 1);
    if (!root) return std::nullopt;
    const Node* shifted = SoleProducer(root->inputs[0], "add", 1);
    if (!shifted || shifted->inputs.size() != 2) return std::nullopt;
    std::optional<float> eps;
    int v = -1;
    for (int k : {0, 1}) {
      if (auto c = ScalarConstant(shifted->inputs[k])) {
        eps = c;
        v = shifted->inputs[1 - k];
      }
    }
    if (!eps || !(*eps >= 0)) return std::nullopt;
    // v = reduce_mean(d * d), m = reduce_mean(x), d = x - m
    const Node* variance = SoleProducer(v, "reduce_mean", 1);
    if (!variance) return std::nullopt;
    const Node* square = SoleProducer(variance->inputs[0], "mul", 1);
    if (!square || square->inputs.size() != 2 || square->inputs[0] != d ||
        square->inputs[1] != d) {
      return std::nullopt;
    }
    // d's readers: the square (twice) and the division.
    const Node* centered = Producer(d, "sub");
    if (!centered || centered->inputs.size() != 2 || uses_[d] != 3 || IsGraphOutput(d)) {
      return std::nullopt;
    }
    const int x = centered->inputs[0];
    const Node* mean = SoleProducer(centered->inputs[1], "reduce_mean", 1);
    if (!mean || mean->inputs[0] != x) return std::nullopt;
    const graph::TensorType& type = g_.value(x).type;
    if (type.dtype != runtime::DType::kFloat32 || type.shape.empty()) return std::nullopt;
    auto axis = TrailingAxis(*mean, type.shape.size());
    if (!axis || TrailingAxis(*variance, type.shape.size()) != axis) return std::nullopt;
    const std::vector<int64_t> normalized(type.shape.begin() + *axis, type.shape.end());
    for (const Node* n : {root, shifted, variance, square, centered, mean}) {
      absorbed->push_back(IndexOf(n));
    }
    // Optional affine: [* gamma] [+ beta], each a constant of the
    // normalized shape (after broadcasting).
    int out = q.outputs[0];
    int gamma = -1, beta = -1, last = div;
    if (const auto [k, c] = AffineStep(out, "mul", normalized); k >= 0) {
      absorbed->push_back(last);
      gamma = c, last = k, out = g_.nodes()[k].outputs[0];
    }
    if (const auto [k, c] = AffineStep(out, "add", normalized); k >= 0) {
      absorbed->push_back(last);
      beta = c, last = k, out = g_.nodes()[k].outputs[0];
    }
    absorbed->push_back(last);
    if (gamma < 0) gamma = Ones(normalized, absl::StrCat(q.name, "_unit_scale"));
    Node ln{g_.nodes()[last].name, "layer_norm", {x, gamma}, {out}, {}};
    if (beta >= 0) ln.inputs.push_back(beta);
    graph::LayerNormAttrs attrs;
    attrs.axis = *axis;
    attrs.epsilon = *eps;
    attrs.Write(ln);
    return ln;
  }

 private:
  bool IsGraphOutput(int value) const {
    for (int o : g_.outputs()) {
      if (o == value) return true;
    }
    return false;
  }

  int IndexOf(const Node* n) const { return static_cast<int>(n - g_.nodes().data()); }

  const Node* Producer(int value, const char* op) const {
    if (value < 0) return nullptr;
    const int p = g_.value(value).producer;
    if (p < 0 || g_.nodes()[p].op != op || g_.nodes()[p].inputs.empty()) return nullptr;
    return &g_.nodes()[p];
  }

  // The producer of `value` when it is `op` and `value` has `reads` reads.
  const Node* SoleProducer(int value, const char* op, int reads) const {
    const Node* n = Producer(value, op);
    return n && uses_[value] == reads && !IsGraphOutput(value) ? n : nullptr;
  }

  std::optional<float> ScalarConstant(int value) const {
    if (value < 0) return std::nullopt;
    const graph::Value& v = g_.value(value);
    if (!v.constant || v.type.dtype != runtime::DType::kFloat32 ||
        v.constant->NumElements() != 1) {
      return std::nullopt;
    }
    return v.constant->data<float>()[0];
  }

  // The first reduced axis when `reduce` averages exactly the trailing axes
  // from it on, keeping them.
  std::optional<int64_t> TrailingAxis(const Node& reduce, size_t rank) const {
    auto attrs = graph::ReduceAttrs::Read(reduce);
    if (!attrs.ok() || !attrs->keepdims || attrs->axes.empty()) return std::nullopt;
    auto reduced = attrs->Reduced(rank);
    if (!reduced.ok()) return std::nullopt;
    size_t first = rank;
    while (first > 0 && (*reduced)[first - 1]) --first;
    for (size_t d = 0; d < first; ++d) {
      if ((*reduced)[d]) return std::nullopt;
    }
    if (first == rank) return std::nullopt;
    return static_cast<int64_t>(first);
  }

  // The node applying `op` to `value` (its sole reader) and a constant of
  // one value or one per normalized element, and that constant; {-1, -1}
  // otherwise.
  std::pair<int, int> AffineStep(int value, const char* op,
                                 const std::vector<int64_t>& normalized) const {
    if (uses_[value] != 1 || IsGraphOutput(value) || reader_[value] < 0) return {-1, -1};
    const int k = reader_[value];
    const Node& n = g_.nodes()[k];
    if (n.op != op || n.inputs.size() != 2) return {-1, -1};
    const int c = n.inputs[0] == value ? n.inputs[1] : n.inputs[0];
    if (c < 0) return {-1, -1};
    const graph::Value& cv = g_.value(c);
    if (!cv.constant || cv.type.dtype != runtime::DType::kFloat32 ||
        cv.type.shape.size() > normalized.size()) {
      return {-1, -1};
    }
    // One value, or one per normalized element (what the kernel takes).
    int64_t elements = 1, normalized_elements = 1;
    for (int64_t d : cv.type.shape) elements *= d;
    for (int64_t d : normalized) normalized_elements *= d;
    const size_t lead = normalized.size() - cv.type.shape.size();
    for (size_t d = 0; d < cv.type.shape.size(); ++d) {
      if (cv.type.shape[d] != 1 && cv.type.shape[d] != normalized[lead + d]) return {-1, -1};
    }
    if (elements != 1 && elements != normalized_elements) return {-1, -1};
    return {k, c};
  }

  int Ones(const std::vector<int64_t>& shape, const std::string& name) {
    auto ones = graph::NDArray::Empty(shape, runtime::DType::kFloat32);
    for (int64_t i = 0; ones.ok() && i < ones->NumElements(); ++i) ones->data<float>()[i] = 1;
    const int id = g_.AddConstant(name, *ones);
    uses_.push_back(1);
    reader_.push_back(-1);
    return id;
  }

  Graph& g_;
  std::vector<int> uses_;
  std::vector<int> reader_;  // per value: its first reader, -1 for none
};

}  // namespace

absl::Status FuseLayerNorm(Graph& g) {
  LayerNormMatcher matcher(g);
  std::vector<bool> removed(g.nodes().size(), false);
  std::vector<int> absorbed;
  for (size_t k = 0; k < g.nodes().size(); ++k) {
    if (removed[k]) continue;
    std::optional<Node> ln = matcher.Match(static_cast<int>(k), &absorbed);
    if (!ln) continue;
    bool taken = false;
    for (int a : absorbed) taken |= removed[a];
    if (taken) continue;
    // The fused node takes the place of the pattern's last node, where
    // every operand is ready.
    const int last = absorbed.back();
    for (int a : absorbed) removed[a] = a != last;
    g.mutable_nodes()[last] = *std::move(ln);
  }
  RemoveNodes(g, removed);
  return graph::InferTypes(g);
}

}  // namespace kiln::passes

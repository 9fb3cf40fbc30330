// kiln's graph IR: a model as a DAG of operator nodes over typed values.
//
// Values are tensors with a dtype and a static shape; a value is a graph
// input, a constant (weights, with data), or the output of exactly one node.
// Nodes keep the topological order they were added in. Operator names and
// attributes are kiln's own, normalized across ONNX opsets by the frontend
// (see op_registry.h for what each operator means).
#ifndef KILN_IR_GRAPH_GRAPH_H_
#define KILN_IR_GRAPH_GRAPH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/dtype.h"
#include "runtime/ndarray.h"

namespace kiln::graph {

using runtime::DType;
using runtime::NDArray;

struct TensorType {
  DType dtype = DType::kFloat32;
  std::vector<int64_t> shape;
  std::string ToString() const;  // "float32[1, 3, 224, 224]"
  bool operator==(const TensorType& o) const { return dtype == o.dtype && shape == o.shape; }
};

using AttrValue =
    std::variant<int64_t, double, std::string, std::vector<int64_t>, std::vector<double>>;

struct Value {
  std::string name;
  TensorType type;
  std::optional<NDArray> constant;  // weights and folded constants
  int producer = -1;                // node index, -1 for inputs and constants
};

struct Node {
  std::string name;
  std::string op;
  std::vector<int> inputs;  // value ids; -1 for an omitted optional input
  std::vector<int> outputs;
  absl::flat_hash_map<std::string, AttrValue> attrs;

  // Typed attribute access with a default for absent attributes; a present
  // attribute of the wrong type is an error naming the node.
  absl::StatusOr<int64_t> Int(const std::string& key, std::optional<int64_t> def = {}) const;
  absl::StatusOr<double> Float(const std::string& key, std::optional<double> def = {}) const;
  absl::StatusOr<std::string> String(const std::string& key,
                                     std::optional<std::string> def = {}) const;
  absl::StatusOr<std::vector<int64_t>> Ints(const std::string& key,
                                            std::optional<std::vector<int64_t>> def = {}) const;
  absl::StatusOr<std::vector<double>> Floats(const std::string& key,
                                             std::optional<std::vector<double>> def = {}) const;
};

// How messages name a node: "node 'conv1' (conv)". Passes may leave the
// nodes they create unnamed; without a graph to say more, such a node is
// "an unnamed conv node".
std::string NodeLabel(const Node& node);

class Graph {
 public:
  int AddInput(std::string name, TensorType type);
  int AddConstant(std::string name, NDArray data);
  // Adds a value without a producer yet (the output of the next AddNode).
  int AddValue(std::string name, TensorType type);
  int AddNode(Node node);  // sets the producer of its outputs
  // The graph's results in order, under the names callers know them by
  // (one per output; none names each output after its value). The names
  // live apart from the values because one value can be several outputs,
  // or an input or a constant too.
  void SetOutputs(std::vector<int> outputs, std::vector<std::string> names = {});

  const std::vector<Value>& values() const { return values_; }
  std::vector<Value>& mutable_values() { return values_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  std::vector<Node>& mutable_nodes() { return nodes_; }
  const std::vector<int>& inputs() const { return inputs_; }
  const std::vector<int>& outputs() const { return outputs_; }
  const std::vector<std::string>& output_names() const { return output_names_; }
  const Value& value(int id) const { return values_[id]; }
  Value& mutable_value(int id) { return values_[id]; }

  // Every input of every node is defined before it is used, ids are in
  // range, and each value has at most one producer.
  absl::Status Verify() const;
  // NodeLabel of nodes()[index], an unnamed node named by its place and
  // its first output: "conv node #12 (output 'y')".
  std::string NodeLabel(int index) const;

  // A line per input and per constant the nodes use ("const %w: float32[64, 3, 7, 7]"),
  // then one per node: "%y: float32[1, 64, 56, 56] = conv(%x, %w) {strides=[1, 1]}".
  std::string ToString() const;

 private:
  std::vector<Value> values_;
  std::vector<Node> nodes_;
  std::vector<int> inputs_;
  std::vector<int> outputs_;
  std::vector<std::string> output_names_;
};

}  // namespace kiln::graph

#endif  // KILN_IR_GRAPH_GRAPH_H_

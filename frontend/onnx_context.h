// The state of one ONNX import, and what an operator converter may do with
// it: read its node's inputs and attributes, and emit kiln operators.
// Nodes whose inputs are all constant are evaluated on the spot, so shape
// sub-graphs (Shape -> Gather -> Concat -> Reshape) fold away during import.
#ifndef KILN_FRONTEND_ONNX_CONTEXT_H_
#define KILN_FRONTEND_ONNX_CONTEXT_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "ir/graph/graph.h"
#include "onnx/onnx_pb.h"

namespace kiln::frontend {

// Refuses, before allocating, a tensor over `memory_budget` bytes and one
// whose data disagrees with its declared shape.
absl::StatusOr<graph::NDArray> TensorFromProto(const onnx::TensorProto& tensor,
                                               const std::string& model_dir,
                                               int64_t memory_budget);
// ONNX's TensorProto element type -> kiln dtype name ("float32", ...).
absl::StatusOr<std::string> DTypeNameFromOnnx(int onnx_type);

// "node 'conv1' (Conv, opset 13)", or for the usual unnamed node
// "Conv node (output 'x', opset 13)": how errors name a node.
std::string OnnxNodeLabel(const onnx::NodeProto& node, int64_t opset);

class ImportContext {
 public:
  ImportContext(graph::Graph* graph, int64_t opset, std::string model_dir, int64_t memory_budget)
      : graph_(graph),
        opset_(opset),
        model_dir_(std::move(model_dir)),
        memory_budget_(memory_budget) {}

  // Binds an ONNX value name to a graph value.
  void Bind(const std::string& name, int value) { names_[name] = value; }
  absl::StatusOr<int> Lookup(const std::string& name) const;

  int64_t opset() const { return opset_; }
  const std::string& model_dir() const { return model_dir_; }
  // The most bytes one tensor of the model may take (see memory_budget.h).
  int64_t memory_budget() const { return memory_budget_; }
  graph::Graph& graph() { return *graph_; }

  // ---- for converters, about the node being converted ----
  void Begin(const onnx::NodeProto* node) { node_ = node; }
  const onnx::NodeProto& node() const { return *node_; }
  int num_inputs() const { return node_->input_size(); }
  bool HasInput(int i) const { return i < node_->input_size() && !node_->input(i).empty(); }
  absl::StatusOr<int> Input(int i) const;  // -1 for an absent optional input
  const graph::TensorType& InputType(int i) const;
  // The input's data when it is a constant.
  std::optional<graph::NDArray> InputConstant(int i) const;
  // An input kiln needs constant (e.g. Reshape's shape; `what` names it in
  // the error). A graph input offered a value (OfferInputValues) is bound
  // to it here, and only here: inputs that merely could be constant stay
  // inputs. Unimplemented otherwise, saying how to bind a graph input.
  absl::StatusOr<graph::NDArray> RequiredConstant(int i, const char* what);
  // RequiredConstant as int64s.
  absl::StatusOr<std::vector<int64_t>> ConstantInts(int i, const char* what);

  // Values that graph inputs may be bound to (by name; they must outlive
  // the import), and the names bound so far.
  void OfferInputValues(const absl::flat_hash_map<std::string, graph::NDArray>* values) {
    offered_values_ = values;
  }

  const onnx::AttributeProto* Attr(const std::string& name) const;
  absl::StatusOr<int64_t> AttrInt(const std::string& name, std::optional<int64_t> def) const;
  absl::StatusOr<double> AttrFloat(const std::string& name, std::optional<double> def) const;
  absl::StatusOr<std::string> AttrString(const std::string& name,
                                         std::optional<std::string> def) const;
  absl::StatusOr<std::vector<int64_t>> AttrInts(const std::string& name,
                                                std::optional<std::vector<int64_t>> def) const;

  // Emits kiln operator `op` for this node; its outputs bind to the ONNX
  // node's outputs in order. Folds it when every input is constant.
  absl::Status Emit(const std::string& op, const std::vector<int>& inputs,
                    absl::flat_hash_map<std::string, graph::AttrValue> attrs,
                    int num_outputs = 1);
  // Emits kiln operator `op` as one step of a conversion that takes several
  // (e.g. a reshape that aligns an operand); its one output binds to no
  // ONNX name. Folds like Emit.
  absl::StatusOr<int> EmitStep(const std::string& op, const std::vector<int>& inputs,
                               absl::flat_hash_map<std::string, graph::AttrValue> attrs);
  // Binds output `output` of this node to an existing value (Identity,
  // Dropout, the results of a multi-operator conversion).
  void Alias(int value, int output = 0);
  // Binds output `output` of this node to new constant data.
  void EmitConstant(graph::NDArray data, int output = 0);

  // Errors that name the node, the op and the opset.
  absl::Status Unsupported(const std::string& what) const;
  absl::Status Invalid(const std::string& what) const;

  // ---- for converters of control flow (If, Loop, Scan) ----
  // How the importer converts one node; set by the importer.
  using NodeConverter = std::function<absl::Status(ImportContext&, const onnx::NodeProto&)>;
  void SetNodeConverter(NodeConverter convert) { convert_node_ = std::move(convert); }
  // Converts the nodes of `body` (a branch or a loop body, which may read
  // any value of the graphs around it) with its formal inputs bound to
  // `inputs`, and returns the values of its outputs. The names the body
  // defines are forgotten afterwards, so that a loop body can be converted
  // once per iteration.
  absl::StatusOr<std::vector<int>> ConvertSubgraph(const onnx::GraphProto& body,
                                                   const std::vector<int>& inputs);

 private:
  absl::StatusOr<std::vector<int>> AddOperator(
      const std::string& op, const std::vector<int>& inputs,
      absl::flat_hash_map<std::string, graph::AttrValue> attrs, int num_outputs, bool bind);

  graph::Graph* graph_;
  int64_t opset_;
  std::string model_dir_;
  int64_t memory_budget_;
  const onnx::NodeProto* node_ = nullptr;
  absl::flat_hash_map<std::string, int> names_;
  NodeConverter convert_node_;
  int subgraph_depth_ = 0;
  const absl::flat_hash_map<std::string, graph::NDArray>* offered_values_ = nullptr;
};

}  // namespace kiln::frontend

#endif  // KILN_FRONTEND_ONNX_CONTEXT_H_

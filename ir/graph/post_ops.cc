#include "ir/graph/post_ops.h"

#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ir/graph/op_registry.h"

namespace kiln::graph {
namespace {

constexpr char kPrefix[] = "post.";
constexpr char kInputsKey[] = "post.inputs";

// The program over its own operands, as FusedProgram decodes it: a
// fused_elementwise node whose input 0 is the kernel's result.
absl::StatusOr<Node> ProgramNode(const Node& kernel, int64_t* trailing) {
  auto n = PostOpInputs(kernel);
  if (!n.ok()) return n.status();
  if (*n > static_cast<int64_t>(kernel.inputs.size())) {
    return absl::InvalidArgumentError(absl::StrCat(
        NodeLabel(kernel), " has ", kernel.inputs.size(), " inputs, fewer than the ", *n,
        " its post ops read"));
  }
  Node program;
  program.name = absl::StrCat(kernel.name, ".post");
  program.op = "fused_elementwise";
  program.inputs.push_back(-1);
  program.inputs.insert(program.inputs.end(), kernel.inputs.end() - *n, kernel.inputs.end());
  program.outputs = kernel.outputs;
  for (const auto& [key, value] : kernel.attrs) {
    if (absl::StartsWith(key, kPrefix) && key != kInputsKey) {
      program.attrs[key.substr(sizeof(kPrefix) - 1)] = value;
    }
  }
  *trailing = *n;
  return program;
}

}  // namespace

std::optional<std::vector<int64_t>> PostOpOperandShape(const std::vector<int64_t>& result,
                                                       const std::vector<int64_t>& operand) {
  int64_t result_elements = 1, operand_elements = 1;
  for (int64_t d : result) result_elements *= d;
  for (int64_t d : operand) operand_elements *= d;
  if (operand_elements == result_elements) return result;
  std::vector<int64_t> shape = operand;
  while (shape.size() > result.size() && shape.front() == 1) shape.erase(shape.begin());
  if (shape.size() > result.size()) return std::nullopt;
  const size_t lead = result.size() - shape.size();
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] != 1 && shape[d] != result[lead + d]) return std::nullopt;
  }
  return shape;
}

bool HasPostOps(const Node& kernel) { return kernel.attrs.contains(kInputsKey); }

absl::StatusOr<int64_t> PostOpInputs(const Node& kernel) {
  auto n = kernel.Int(kInputsKey, 0);
  if (!n.ok()) return n.status();
  if (*n < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(NodeLabel(kernel), " has a negative count of post-op inputs"));
  }
  return *n;
}

absl::StatusOr<Node> PostOpsNode(const Node& kernel) {
  int64_t trailing = 0;
  auto program = ProgramNode(kernel, &trailing);
  if (!program.ok()) return program.status();
  if (auto steps = FusedProgram(*program); !steps.ok()) return steps.status();
  return program;
}

absl::Status AppendPostOps(Node& kernel, const Node& consumer, int result, size_t fixed_inputs) {
  if (HasPostOps(kernel)) {
    return absl::FailedPreconditionError(
        absl::StrCat(NodeLabel(kernel), " already runs post ops"));
  }
  auto steps = FusedProgram(consumer);
  if (!steps.ok()) return steps.status();
  // Operand 0 is the result; the consumer's other inputs follow, once each.
  std::vector<int> operands = {result};
  std::vector<int64_t> index_of(consumer.inputs.size());
  for (size_t i = 0; i < consumer.inputs.size(); ++i) {
    const int v = consumer.inputs[i];
    size_t k = 0;
    while (k < operands.size() && operands[k] != v) ++k;
    if (k == operands.size()) operands.push_back(v);
    index_of[i] = static_cast<int64_t>(k);
  }
  for (FusedStep& step : *steps) {
    for (int64_t& o : step.operands) {
      if (o >= 0) o = index_of[o];
    }
  }
  const Node encoded = MakeFusedElementwise("", *steps, operands, -1);
  for (const auto& [key, value] : encoded.attrs) kernel.attrs[absl::StrCat(kPrefix, key)] = value;
  kernel.attrs[kInputsKey] = static_cast<int64_t>(operands.size() - 1);
  if (kernel.inputs.size() < fixed_inputs) kernel.inputs.resize(fixed_inputs, -1);
  kernel.inputs.insert(kernel.inputs.end(), operands.begin() + 1, operands.end());
  kernel.outputs = consumer.outputs;
  return absl::OkStatus();
}

absl::StatusOr<NDArray> ApplyPostOps(const Node& kernel, NDArray result,
                                     const std::vector<NDArray>& inputs) {
  int64_t trailing = 0;
  auto program = ProgramNode(kernel, &trailing);
  if (!program.ok()) return program.status();
  std::vector<NDArray> args = {result};
  for (auto it = inputs.end() - trailing; it != inputs.end(); ++it) {
    auto shape = PostOpOperandShape(result.shape(), it->shape());
    if (!shape) {
      return absl::InvalidArgumentError(absl::StrCat(
          NodeLabel(kernel), " post-op operand ", it->ShapeString(), " does not fit the result ",
          result.ShapeString()));
    }
    args.push_back(NDArray::View(it->raw_data(), *shape, it->dtype()));
  }
  auto out = EvaluateNode(*program, args);
  if (!out.ok()) return out.status();
  return (*out)[0];
}

absl::Status CheckPostOpTypes(const Node& kernel, const TensorType& result,
                              const std::vector<const TensorType*>& inputs) {
  int64_t trailing = 0;
  auto program = ProgramNode(kernel, &trailing);
  if (!program.ok()) return program.status();
  if (trailing > static_cast<int64_t>(inputs.size())) {
    return absl::InvalidArgumentError(
        absl::StrCat(NodeLabel(kernel), " lacks the inputs its post ops read"));
  }
  std::vector<TensorType> operands = {result};
  for (auto it = inputs.end() - trailing; it != inputs.end(); ++it) {
    const TensorType* t = *it;
    auto shape = t ? PostOpOperandShape(result.shape, t->shape) : std::nullopt;
    if (!shape || t->dtype != DType::kFloat32) {
      return absl::InvalidArgumentError(absl::StrCat(
          NodeLabel(kernel), " post ops read ", t ? t->ToString() : "an absent input",
          "; they take float32 operands with the result's element count or broadcasting "
          "against its shape ", result.ToString()));
    }
    operands.push_back({t->dtype, *shape});
  }
  std::vector<const TensorType*> args;
  for (const TensorType& t : operands) args.push_back(&t);
  auto def = OpRegistry().Find("fused_elementwise");
  if (!def.ok()) return def.status();
  auto out = def->infer(*program, args);
  if (!out.ok()) return out.status();
  if (out->size() != 1 || !((*out)[0] == result)) {
    return absl::InvalidArgumentError(absl::StrCat(
        NodeLabel(kernel), " post ops change the result ", result.ToString()));
  }
  return absl::OkStatus();
}

}  // namespace kiln::graph

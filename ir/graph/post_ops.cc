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
  std::vector<NDArray> args = {std::move(result)};
  args.insert(args.end(), inputs.end() - trailing, inputs.end());
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
  std::vector<const TensorType*> args = {&result};
  args.insert(args.end(), inputs.end() - trailing, inputs.end());
  for (const TensorType* t : args) {
    const bool scalar = t && [&] {
      int64_t n = 1;
      for (int64_t d : t->shape) n *= d;
      return n == 1;
    }();
    if (!t || t->dtype != DType::kFloat32 || !(t->shape == result.shape || scalar)) {
      return absl::InvalidArgumentError(absl::StrCat(
          NodeLabel(kernel), " post ops read ", t ? t->ToString() : "an absent input",
          "; they take float32 operands of the result's shape ", result.ToString(),
          " or of one element"));
    }
  }
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

#include "ir/graph/fused_elementwise.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace kiln::graph {

absl::StatusOr<std::vector<FusedStep>> FusedProgram(const Node& n) {
  auto ops = n.String("ops");
  auto arity = n.Ints("arity");
  auto operands = n.Ints("operands");
  if (!ops.ok()) return ops.status();
  if (!arity.ok()) return arity.status();
  if (!operands.ok()) return operands.status();
  std::vector<std::string> names = absl::StrSplit(*ops, ',');
  if (names.size() != arity->size()) {
    return absl::InvalidArgumentError(absl::StrCat(NodeLabel(n), " is malformed"));
  }
  std::vector<FusedStep> steps;
  size_t next = 0;
  for (size_t s = 0; s < names.size(); ++s) {
    FusedStep step;
    step.node.name = absl::StrCat(n.name, ".", s);
    step.node.op = names[s];
    const std::string prefix = absl::StrCat("s", s, ".");
    for (const auto& [key, value] : n.attrs) {
      if (absl::StartsWith(key, prefix)) step.node.attrs[key.substr(prefix.size())] = value;
    }
    for (int64_t a = 0; a < (*arity)[s]; ++a) {
      if (next >= operands->size()) {
        return absl::InvalidArgumentError(absl::StrCat(NodeLabel(n), " is malformed"));
      }
      const int64_t o = (*operands)[next++];
      if (o < -static_cast<int64_t>(s) || o >= static_cast<int64_t>(n.inputs.size())) {
        return absl::InvalidArgumentError(
            absl::StrCat(NodeLabel(n), " refers to operand ", o));
      }
      step.operands.push_back(o);
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

Node AsFusedElementwise(const Node& n) {
  if (n.op == "fused_elementwise") return n;
  FusedStep step{Node{"", n.op, {}, {}, n.attrs}, {}};
  for (size_t i = 0; i < n.inputs.size(); ++i) step.operands.push_back(static_cast<int64_t>(i));
  return MakeFusedElementwise(n.name, {step}, n.inputs, n.outputs[0]);
}

Node MakeFusedElementwise(std::string name, const std::vector<FusedStep>& steps,
                          std::vector<int> inputs, int output) {
  Node n;
  n.name = std::move(name);
  n.op = "fused_elementwise";
  n.inputs = std::move(inputs);
  n.outputs = {output};
  std::vector<std::string> ops;
  std::vector<int64_t> arity, operands;
  for (size_t s = 0; s < steps.size(); ++s) {
    ops.push_back(steps[s].node.op);
    arity.push_back(static_cast<int64_t>(steps[s].operands.size()));
    operands.insert(operands.end(), steps[s].operands.begin(), steps[s].operands.end());
    for (const auto& [key, value] : steps[s].node.attrs) n.attrs[absl::StrCat("s", s, ".", key)] = value;
  }
  n.attrs["ops"] = absl::StrJoin(ops, ",");
  n.attrs["arity"] = arity;
  n.attrs["operands"] = operands;
  return n;
}

}  // namespace kiln::graph

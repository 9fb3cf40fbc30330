#include "codegen/node_lowering.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ir/graph/attrs_data_movement.h"
#include "ir/ops/elementwise_exprs.h"
#include "ir/ops/lowering_registry.h"

namespace kiln::codegen {

bool IsCopyNode(const graph::Node& node) {
  return node.op == "reshape";
}

std::optional<int64_t> ViewOffset(const graph::Graph& g, const graph::Node& node) {
  if (node.inputs.size() != 1 || node.inputs[0] < 0 || node.outputs.size() != 1) {
    return std::nullopt;
  }
  if (IsCopyNode(node)) return 0;
  if (node.op != "slice") return std::nullopt;
  auto a = graph::SliceAttrs::Read(node);
  const graph::TensorType& in = g.value(node.inputs[0]).type;
  const std::vector<int64_t>& out = g.value(node.outputs[0]).type.shape;
  const size_t rank = in.shape.size();
  if (!a.ok() || a->starts.size() != rank || a->steps.size() != rank || out.size() != rank) {
    return std::nullopt;
  }
  // Whole trailing axes, then one axis taken at step 1 (or one index of
  // it), then single indices.
  size_t k = rank;
  while (k > 0 && a->starts[k - 1] == 0 && a->steps[k - 1] == 1 && out[k - 1] == in.shape[k - 1]) {
    --k;
  }
  if (k > 0 && a->steps[k - 1] != 1 && out[k - 1] != 1) return std::nullopt;
  for (size_t d = 0; d + 1 < k; ++d) {
    if (out[d] != 1) return std::nullopt;
  }
  int64_t offset = 0;
  for (size_t d = 0; d < rank; ++d) {
    if (a->starts[d] < 0 || (out[d] > 0 && a->starts[d] >= in.shape[d])) return std::nullopt;
    offset = offset * in.shape[d] + (out[d] > 0 ? a->starts[d] : 0);
  }
  return offset * static_cast<int64_t>(runtime::DTypeBytes(in.dtype));
}

absl::StatusOr<ir::LoweredFunc> LowerNode(const graph::Graph& g, const graph::Node& node,
                                          const targets::Target& target,
                                          const std::string& kernel_name) {
  ir::ops::NodeShapes shapes;
  std::vector<std::string> in_names, out_names;
  for (int in : node.inputs) {
    if (in < 0) continue;
    const graph::Value& v = g.value(in);
    shapes.in.push_back(v.type.shape);
    shapes.in_types.push_back(ir::DataTypeOf(v.type.dtype));
    in_names.push_back(runtime::DTypeName(v.type.dtype));
  }
  for (int out : node.outputs) {
    const graph::Value& v = g.value(out);
    for (int64_t d : v.type.shape) {
      if (d == 0) return ir::ops::NoKernel(node, "empty tensors");
    }
    shapes.out.push_back(v.type.shape);
    shapes.out_types.push_back(ir::DataTypeOf(v.type.dtype));
    out_names.push_back(runtime::DTypeName(v.type.dtype));
  }
  auto lower = ir::ops::FindLowering(node.op);
  if (!lower.ok()) return ir::ops::NoKernel(node, "this operator");
  if (!lower->types(shapes)) {
    return ir::ops::NoKernel(node, absl::StrCat("(", absl::StrJoin(in_names, ", "), ") -> (",
                                                absl::StrJoin(out_names, ", "), ")"));
  }
  auto f = lower->lower(node, shapes, target, kernel_name);
  if (!f.ok() && f.status().code() != absl::StatusCode::kUnimplemented) {
    return absl::Status(f.status().code(),
                        absl::StrCat("lowering ", graph::NodeLabel(node), ": ", f.status().message()));
  }
  return f;
}

}  // namespace kiln::codegen

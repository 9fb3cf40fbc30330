#include "codegen/node_lowering.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ir/ops/elementwise_exprs.h"
#include "ir/ops/lowering_registry.h"

namespace kiln::codegen {

bool IsCopyNode(const graph::Node& node) {
  return node.op == "reshape";
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

#include "codegen/node_lowering.h"

#include "absl/strings/str_cat.h"
#include "ir/ops/elementwise_exprs.h"
#include "ir/ops/lowering_registry.h"

namespace kiln::codegen {

bool IsCopyNode(const graph::Node& node) {
  return node.op == "reshape";
}

absl::StatusOr<ir::LoweredFunc> LowerNode(const graph::Graph& g, const graph::Node& node,
                                          const targets::Target& target,
                                          const std::string& kernel_name) {
  // Elementwise kernels take their operand types from their expressions;
  // every other kernel is float32 only.
  const bool elementwise =
      node.op == "fused_elementwise" || ir::ops::IsFusableElementwise(node.op);
  auto supported = [elementwise](runtime::DType t) {
    return t == runtime::DType::kFloat32 || (elementwise && t == runtime::DType::kBool);
  };
  ir::ops::NodeShapes shapes;
  for (int in : node.inputs) {
    if (in < 0) continue;
    const graph::Value& v = g.value(in);
    if (!supported(v.type.dtype)) {
      return ir::ops::NoKernel(node, absl::StrCat(runtime::DTypeName(v.type.dtype), " operands"));
    }
    shapes.in.push_back(v.type.shape);
    shapes.in_bool.push_back(v.type.dtype == runtime::DType::kBool);
  }
  for (int out : node.outputs) {
    const graph::Value& v = g.value(out);
    if (!supported(v.type.dtype)) {
      return ir::ops::NoKernel(node, absl::StrCat(runtime::DTypeName(v.type.dtype), " results"));
    }
    for (int64_t d : v.type.shape) {
      if (d == 0) return ir::ops::NoKernel(node, "empty tensors");
    }
    shapes.out.push_back(v.type.shape);
  }
  auto lower = ir::ops::FindLowering(node.op);
  if (!lower.ok()) return ir::ops::NoKernel(node, "this operator");
  auto f = (*lower)(node, shapes, target, kernel_name);
  if (!f.ok() && f.status().code() != absl::StatusCode::kUnimplemented) {
    return absl::Status(f.status().code(),
                        absl::StrCat("lowering ", graph::NodeLabel(node), ": ", f.status().message()));
  }
  return f;
}

}  // namespace kiln::codegen

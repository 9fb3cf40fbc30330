#include "codegen/node_lowering.h"

#include <functional>
#include <limits>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "ir/graph/fused_elementwise.h"
#include "ir/ops/conv2d_nchw.h"
#include "ir/ops/conv2d_nchwc.h"
#include "ir/ops/conv2d_nchwc_template.h"
#include "ir/ops/data_movement.h"
#include "ir/ops/dense.h"
#include "ir/ops/dense_template.h"
#include "ir/ops/elementwise.h"
#include "ir/ops/pool.h"
#include "ir/ops/reduce.h"
#include "ir/ops/softmax.h"
#include "ir/tuning/schedule_context.h"
#include "passes/convert_to_nchwc.h"

namespace kiln::codegen {
namespace {

using graph::Graph;
using graph::Node;
using ir::Expr;
using ir::Intrinsic;
using Lowered = absl::StatusOr<ir::LoweredFunc>;

// What a lowering function sees: shapes of the present inputs and outputs.
struct NodeShapes {
  std::vector<std::vector<int64_t>> in, out;
};

using LowerFn = std::function<Lowered(const Node&, const NodeShapes&, const targets::Target&,
                                      const std::string&)>;

absl::Status Unsupported(const Node& n, absl::string_view why) {
  return absl::UnimplementedError(
      absl::StrCat(graph::NodeLabel(n), ": no compiled kernel for ", why));
}

float AttrFloat(const Node& n, const char* key, double def) {
  auto v = n.Float(key, def);
  return static_cast<float>(v.ok() ? *v : def);
}

Lowered LowerElementwise(const Node& n, const NodeShapes& s, const targets::Target& t,
                         const std::string& name) {
  std::vector<graph::FusedStep> steps;
  if (n.op == "fused_elementwise") {
    auto program = graph::FusedProgram(n);
    if (!program.ok()) return program.status();
    steps = *program;
  } else {
    graph::FusedStep step{Node{n.name, n.op, {}, {}, n.attrs}, {}};
    for (size_t i = 0; i < s.in.size(); ++i) step.operands.push_back(static_cast<int64_t>(i));
    steps.push_back(step);
  }
  // Check every step converts before building the loop nest.
  absl::Status status = absl::OkStatus();
  auto body = [&](const std::vector<Expr>& inputs) {
    std::vector<Expr> results;
    for (const graph::FusedStep& step : steps) {
      std::vector<Expr> args;
      for (int64_t o : step.operands) args.push_back(o >= 0 ? inputs[o] : results[-o - 1]);
      auto v = ElementwiseExpr(step.node, args);
      if (!v.ok()) {
        status = v.status();
        return Expr(0.0f);
      }
      results.push_back(*v);
    }
    return results.back();
  };
  std::vector<Expr> probes;
  for (size_t i = 0; i < s.in.size(); ++i) probes.push_back(Expr(0.0f));
  body(probes);
  if (!status.ok()) return Unsupported(n, status.message());
  return ir::ops::BuildElementwise(s.in, body, t, name);
}

// conv2d_nchwc, or conv2d_winograd_nchwc whose weight is
// [alpha^2, OC/ob, C/ib, ib, ob] for a 3x3 kernel.
Lowered LowerConv2dNCHWc(const Node& n, const NodeShapes& s, const targets::Target& t,
                         const std::string& name) {
  const auto& d = s.in[0];
  const auto& k = s.in[1];
  const bool winograd = n.op == "conv2d_winograd_nchwc";
  auto w = winograd ? passes::Conv2dWorkloadOf(n, {d[0], d[1] * d[4], d[2], d[3]}, k[1] * k[4],
                                               3, 3)
                    : passes::Conv2dWorkloadOf(n, {d[0], d[1] * d[4], d[2], d[3]}, k[0] * k[5],
                                               k[2], k[3]);
  if (!w.ok()) return w.status();
  auto winograd_tile = n.Int("winograd_tile", 0);
  auto activation = n.String("activation", "none");
  auto schedule = n.String(tuning::kScheduleAttr, "");
  if (!winograd_tile.ok() || !activation.ok() || !schedule.ok() ||
      (winograd && *winograd_tile == 0)) {
    return absl::InvalidArgumentError(absl::StrCat(n.op, " ", n.name, " is malformed"));
  }
  const ir::ops::Conv2dBlocks blocks{d[4], winograd ? k[4] : k[5]};
  auto c = ir::ops::Conv2dNCHWcScheduleOfNode(
      schedule->empty() ? std::nullopt : std::optional<std::string>(*schedule), *w, blocks, t);
  if (!c.ok()) return c.status();
  // The op, not the schedule, says which algorithm the weights were packed for.
  c->winograd_tile = winograd ? *winograd_tile : 0;
  w->bias = n.inputs.size() > 2 && n.inputs[2] >= 0;
  w->residual = n.inputs.size() > 3 && n.inputs[3] >= 0;
  w->activation = *activation == "relu" ? ir::ops::Activation::kRelu : ir::ops::Activation::kNone;
  return ir::ops::BuildConv2dNCHWc(*w, *c, name);
}

Lowered LowerConvNCHW(const Node& n, const NodeShapes& s, const targets::Target& t,
                      const std::string& name) {
  const auto& d = s.in[0];
  const auto& k = s.in[1];
  if (d.size() != 4) return Unsupported(n, "convolutions other than 2-D");
  auto group = n.Int("group", 1);
  if (!group.ok()) return group.status();
  auto w = passes::Conv2dWorkloadOf(n, d, k[0], k[2], k[3]);
  if (!w.ok()) return w.status();
  w->bias = s.in.size() > 2;
  return ir::ops::BuildConv2dNCHW(*w, *group, t, name);
}

Lowered LowerPool(const Node& n, const NodeShapes& s, const targets::Target& t,
                  const std::string& name) {
  const auto& x = s.in[0];
  auto kernel = n.Ints("kernel_shape");
  auto strides = n.Ints("strides", std::vector<int64_t>{1, 1});
  auto pads = n.Ints("pads", std::vector<int64_t>{0, 0, 0, 0});
  auto dilations = n.Ints("dilations", std::vector<int64_t>{1, 1});
  auto ceil = n.Int("ceil_mode", 0);
  auto include_pad = n.Int("count_include_pad", 0);
  if (!kernel.ok() || !strides.ok() || !pads.ok() || !dilations.ok() || !ceil.ok() ||
      !include_pad.ok() || kernel->size() != 2) {
    return Unsupported(n, "pooling other than 2-D");
  }
  if ((*dilations)[0] != 1 || (*dilations)[1] != 1) return Unsupported(n, "dilated pooling");
  ir::ops::Pool2dWorkload w;
  w.kind = n.op == "max_pool" ? ir::ops::PoolKind::kMax : ir::ops::PoolKind::kAverage;
  w.batch = x[0];
  w.channel_chunks = x[1];
  w.height = x[2];
  w.width = x[3];
  w.block = x.size() == 5 ? x[4] : 1;
  w.kernel_h = (*kernel)[0];
  w.kernel_w = (*kernel)[1];
  w.stride_h = (*strides)[0];
  w.stride_w = (*strides)[1];
  w.pad_top = (*pads)[0];
  w.pad_left = (*pads)[1];
  w.pad_bottom = (*pads)[2];
  w.pad_right = (*pads)[3];
  w.ceil_mode = *ceil != 0;
  w.count_include_pad = *include_pad != 0;
  if (w.out_height() != s.out[0][2] || w.out_width() != s.out[0][3]) {
    return Unsupported(n, "this pooling window (output size differs from the graph's)");
  }
  return ir::ops::BuildPool2d(w, t, name);
}

Lowered LowerReduce(const Node& n, const NodeShapes& s, const targets::Target&,
                    const std::string& name) {
  const auto& x = s.in[0];
  auto axes = n.Ints("axes", std::vector<int64_t>{});
  auto keep = n.Int("keepdims", 1);
  if (!axes.ok() || !keep.ok()) return absl::InvalidArgumentError("malformed reduction");
  std::vector<bool> reduced(x.size(), axes->empty());
  for (int64_t a : *axes) {
    const int64_t axis = a < 0 ? a + static_cast<int64_t>(x.size()) : a;
    if (axis < 0 || axis >= static_cast<int64_t>(x.size())) return Unsupported(n, "this axis");
    reduced[axis] = true;
  }
  const ir::ops::ReduceKind kind = n.op == "reduce_sum"    ? ir::ops::ReduceKind::kSum
                                   : n.op == "reduce_mean" ? ir::ops::ReduceKind::kMean
                                   : n.op == "reduce_min"  ? ir::ops::ReduceKind::kMin
                                                           : ir::ops::ReduceKind::kMax;
  return ir::ops::BuildReduce(x, reduced, *keep != 0, kind, name);
}

Lowered LowerSoftmax(const Node& n, const NodeShapes& s, const targets::Target& t,
                     const std::string& name) {
  const auto& x = s.in[0];
  auto axis = n.Int("axis", -1);
  auto flatten = n.Int("flatten", 0);
  if (!axis.ok() || !flatten.ok()) return absl::InvalidArgumentError("malformed softmax");
  const int64_t rank = static_cast<int64_t>(x.size());
  const int64_t a = *axis < 0 ? *axis + rank : *axis;
  if (a != rank - 1 && *flatten == 0) return Unsupported(n, "softmax over an inner axis");
  int64_t rows = 1, cols = 1;
  for (int64_t d = 0; d < rank; ++d) (d < a ? rows : cols) *= x[d];
  return ir::ops::BuildSoftmax(rows, cols, t, name);
}

Lowered LowerDense(const Node& n, const NodeShapes& s, const targets::Target& t,
                   const std::string& name) {
  ir::ops::DenseWorkload w;
  w.m = s.in[0][0];
  w.k = s.in[0][1];
  w.n = s.in[1][0] * s.in[1][2];
  auto schedule = n.String(tuning::kScheduleAttr, "");
  if (!schedule.ok()) return schedule.status();
  auto c = ir::ops::DenseScheduleOfNode(
      schedule->empty() ? std::nullopt : std::optional<std::string>(*schedule), w, t);
  if (!c.ok()) return c.status();
  if (c->n_bn != s.in[1][2]) {
    return absl::InvalidArgumentError(absl::StrCat("dense ", n.name, ": its schedule's tile_n ",
                                                   c->n_bn, " differs from its packed weight's ",
                                                   s.in[1][2]));
  }
  w.bias = s.in.size() > 2;
  return ir::ops::BuildDense(w, *c, name);
}

Lowered LowerMatmul(const Node& n, const NodeShapes& s, const targets::Target& t,
                    const std::string& name) {
  const auto& a = s.in[0];
  const auto& b = s.in[1];
  ir::ops::BatchMatmulWorkload w;
  if (a.size() == 2 && b.size() == 2) {
    w = {1, a[0], b[1], a[1]};
  } else if (a.size() == 3 && b.size() == 3 && a[0] == b[0]) {
    w = {a[0], a[1], b[2], a[2]};
  } else {
    return Unsupported(n, "matmul with broadcast batch dimensions");
  }
  return ir::ops::BuildBatchMatmul(w, t, name);
}

Lowered LowerTranspose(const Node& n, const NodeShapes& s, const targets::Target& t,
                       const std::string& name) {
  std::vector<int64_t> reversed;
  for (size_t d = s.in[0].size(); d-- > 0;) reversed.push_back(static_cast<int64_t>(d));
  auto perm = n.Ints("perm", reversed);
  if (!perm.ok()) return perm.status();
  return ir::ops::BuildTranspose(s.in[0], *perm, t, name);
}

Lowered LowerConcat(const Node& n, const NodeShapes& s, const targets::Target& t,
                    const std::string& name) {
  auto axis = n.Int("axis", 0);
  if (!axis.ok()) return axis.status();
  const int64_t rank = static_cast<int64_t>(s.out[0].size());
  return ir::ops::BuildConcat(s.in, *axis < 0 ? *axis + rank : *axis, t, name);
}

Lowered LowerSlice(const Node& n, const NodeShapes& s, const targets::Target& t,
                   const std::string& name) {
  auto starts = n.Ints("starts");
  auto steps = n.Ints("steps");
  if (!starts.ok() || !steps.ok()) return absl::InvalidArgumentError("malformed slice");
  return ir::ops::BuildSlice(s.in[0], *starts, *steps, s.out[0], t, name);
}

Lowered LowerPad(const Node& n, const NodeShapes& s, const targets::Target& t,
                 const std::string& name) {
  auto pads = n.Ints("pads");
  auto mode = n.String("mode", "constant");
  if (!pads.ok() || !mode.ok()) return absl::InvalidArgumentError("malformed pad");
  const ir::ops::PadMode m = *mode == "edge"      ? ir::ops::PadMode::kEdge
                             : *mode == "reflect" ? ir::ops::PadMode::kReflect
                                                  : ir::ops::PadMode::kConstant;
  return ir::ops::BuildPad(s.in[0], *pads, m, AttrFloat(n, "value", 0.0), t, name);
}

Lowered LowerConvTranspose(const Node& n, const NodeShapes& s, const targets::Target& t,
                            const std::string& name) {
  auto strides = n.Ints("strides", std::vector<int64_t>{1, 1});
  auto pads = n.Ints("pads", std::vector<int64_t>{0, 0, 0, 0});
  auto dilations = n.Ints("dilations", std::vector<int64_t>{1, 1});
  auto output_padding = n.Ints("output_padding", std::vector<int64_t>{0, 0});
  auto group = n.Int("group", 1);
  if (!strides.ok() || !pads.ok() || !dilations.ok() || !output_padding.ok() || !group.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("conv_transpose ", n.name, " is malformed"));
  }
  if (*group != 1 || (*dilations)[0] != 1 || (*dilations)[1] != 1 || s.in.size() > 2 ||
      (*pads)[0] != (*pads)[2] || (*pads)[1] != (*pads)[3]) {
    return Unsupported(n, "groups, dilation, bias or asymmetric padding");
  }
  ir::ops::Conv2dTransposeWorkload w;
  w.batch = s.in[0][0];
  w.in_channels = s.in[0][1];
  w.height = s.in[0][2];
  w.width = s.in[0][3];
  w.out_channels = s.in[1][1];
  w.kernel_h = s.in[1][2];
  w.kernel_w = s.in[1][3];
  w.stride_h = (*strides)[0];
  w.stride_w = (*strides)[1];
  w.pad_h = (*pads)[0];
  w.pad_w = (*pads)[1];
  w.output_pad_h = (*output_padding)[0];
  w.output_pad_w = (*output_padding)[1];
  return ir::ops::BuildConv2dTranspose(w, t, name);
}

Lowered LowerResize(const Node& n, const NodeShapes& s, const targets::Target& t,
                    const std::string& name) {
  ir::ops::ResizeWorkload w;
  w.in_shape = s.in[0];
  w.out_shape = s.out[0];
  auto scales = n.Floats("scales");
  auto mode = n.String("mode", "nearest");
  auto coord = n.String("coordinate_transformation_mode", "half_pixel");
  auto rounding = n.String("nearest_mode", "round_prefer_floor");
  if (!scales.ok() || !mode.ok() || !coord.ok() || !rounding.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("resize ", n.name, " is malformed"));
  }
  w.scales = *scales;
  w.mode = *mode;
  w.coordinate_mode = *coord;
  w.rounding = *rounding;
  return ir::ops::BuildResize(w, t, name);
}

Lowered LowerLayoutTransform(const Node& n, const NodeShapes& s, const targets::Target& t,
                             const std::string& name) {
  auto src = n.Int("src_block");
  auto dst = n.Int("dst_block");
  if (!src.ok() || !dst.ok()) return absl::InvalidArgumentError("malformed layout_transform");
  const auto& x = s.in[0];
  const std::vector<int64_t> plain =
      *src == 0 ? x : std::vector<int64_t>{x[0], x[1] * x[4], x[2], x[3]};
  return ir::ops::BuildLayoutTransform(plain, *src, *dst, t, name);
}

const absl::flat_hash_map<std::string, LowerFn>& Lowerings() {
  static const auto* table = new absl::flat_hash_map<std::string, LowerFn>{
      {"fused_elementwise", LowerElementwise},
      {"conv2d_nchwc", LowerConv2dNCHWc},
      {"conv2d_winograd_nchwc", LowerConv2dNCHWc},
      {"conv", LowerConvNCHW},
      {"max_pool", LowerPool},
      {"avg_pool", LowerPool},
      {"reduce_sum", LowerReduce},
      {"reduce_mean", LowerReduce},
      {"reduce_max", LowerReduce},
      {"reduce_min", LowerReduce},
      {"softmax", LowerSoftmax},
      {"dense", LowerDense},
      {"matmul", LowerMatmul},
      {"transpose", LowerTranspose},
      {"concat", LowerConcat},
      {"slice", LowerSlice},
      {"pad", LowerPad},
      {"layout_transform", LowerLayoutTransform},
      {"conv_transpose", LowerConvTranspose},
      {"resize", LowerResize},
  };
  return *table;
}

}  // namespace

bool IsCopyNode(const Node& node) { return node.op == "reshape" || node.op == "identity"; }

absl::StatusOr<Expr> ElementwiseExpr(const Node& op, const std::vector<Expr>& x) {
  const std::string& o = op.op;
  const auto arity = [&](size_t n) {
    return x.size() == n ? absl::OkStatus()
                         : absl::InvalidArgumentError(absl::StrCat(o, " takes ", n, " operands"));
  };
  const auto call = [&](Intrinsic f) -> absl::StatusOr<Expr> {
    if (auto st = arity(1); !st.ok()) return st;
    return ir::Call(f, {x[0]});
  };
  if (o == "relu") {
    if (auto st = arity(1); !st.ok()) return st;
    return ir::Max(x[0], Expr(0.0f));
  }
  if (o == "sigmoid") return call(Intrinsic::kSigmoid);
  if (o == "tanh") return call(Intrinsic::kTanh);
  if (o == "exp") return call(Intrinsic::kExp);
  if (o == "log") return call(Intrinsic::kLog);
  if (o == "sqrt") return call(Intrinsic::kSqrt);
  if (o == "abs") return call(Intrinsic::kAbs);
  if (o == "floor") return call(Intrinsic::kFloor);
  if (o == "ceil") return call(Intrinsic::kCeil);
  if (o == "erf") return call(Intrinsic::kErf);
  if (x.empty()) return absl::InvalidArgumentError(absl::StrCat(o, " without operands"));
  const Expr& a = x[0];
  if (o == "neg") return -a;
  if (o == "identity") return a;
  if (o == "reciprocal") return Expr(1.0f) / a;
  if (o == "leaky_relu") {
    return ir::Select(a >= Expr(0.0f), a, a * AttrFloat(op, "alpha", 0.01));
  }
  if (o == "clip") {
    Expr v = a;
    if (op.attrs.contains("min")) v = ir::Max(v, Expr(AttrFloat(op, "min", 0)));
    if (op.attrs.contains("max")) v = ir::Min(v, Expr(AttrFloat(op, "max", 0)));
    return v;
  }
  if (o == "hard_sigmoid") {
    return ir::Max(Expr(0.0f), ir::Min(Expr(1.0f), a * AttrFloat(op, "alpha", 0.2) +
                                                       AttrFloat(op, "beta", 0.5)));
  }
  if (o == "hard_swish") {
    return a * ir::Max(Expr(0.0f), ir::Min(Expr(1.0f), a * (1.0f / 6) + 0.5f));
  }
  if (o == "max" || o == "min") {
    Expr v = a;
    for (size_t i = 1; i < x.size(); ++i) v = o == "max" ? ir::Max(v, x[i]) : ir::Min(v, x[i]);
    return v;
  }
  if (auto st = arity(2); !st.ok()) return st;
  const Expr& b = x[1];
  if (o == "add") return a + b;
  if (o == "sub") return a - b;
  if (o == "mul") return a * b;
  if (o == "div") return a / b;
  if (o == "pow") return ir::Call(Intrinsic::kPow, {a, b});
  if (o == "prelu") return ir::Select(a >= Expr(0.0f), a, a * b);
  return absl::UnimplementedError(absl::StrCat("elementwise operator ", o));
}

absl::StatusOr<ir::LoweredFunc> LowerNode(const Graph& g, const Node& node,
                                          const targets::Target& target,
                                          const std::string& kernel_name) {
  NodeShapes shapes;
  for (int in : node.inputs) {
    if (in < 0) continue;
    const graph::Value& v = g.value(in);
    if (v.type.dtype != runtime::DType::kFloat32) {
      return Unsupported(node, absl::StrCat(runtime::DTypeName(v.type.dtype), " operands"));
    }
    shapes.in.push_back(v.type.shape);
  }
  for (int out : node.outputs) {
    const graph::Value& v = g.value(out);
    if (v.type.dtype != runtime::DType::kFloat32) {
      return Unsupported(node, absl::StrCat(runtime::DTypeName(v.type.dtype), " results"));
    }
    for (int64_t d : v.type.shape) {
      if (d == 0) return Unsupported(node, "empty tensors");
    }
    shapes.out.push_back(v.type.shape);
  }
  if (graph::IsElementwiseOp(node.op)) return LowerElementwise(node, shapes, target, kernel_name);
  auto it = Lowerings().find(node.op);
  if (it == Lowerings().end()) return Unsupported(node, "this operator");
  auto f = it->second(node, shapes, target, kernel_name);
  if (!f.ok() && f.status().code() != absl::StatusCode::kUnimplemented) {
    return absl::Status(f.status().code(), absl::StrCat("lowering ", graph::NodeLabel(node), ": ",
                                                        f.status().message()));
  }
  return f;
}

}  // namespace kiln::codegen

// Lowering of max_pool and avg_pool, on NCHW or NCHW[x]c tensors.
#include "ir/graph/attrs_nn.h"
#include "ir/ops/lowering_registry.h"
#include "ir/ops/pool.h"

namespace kiln::ir::ops {
namespace {

absl::StatusOr<LoweredFunc> LowerPool(PoolKind kind, const graph::Node& n, const NodeShapes& s,
                                      const targets::Target& t, const std::string& name) {
  const auto& x = s.in[0];
  auto a = graph::Pool2dAttrs::Read(n);
  if (!a.ok()) return NoKernel(n, "pooling other than 2-D");
  if (a->dilations[0] != 1 || a->dilations[1] != 1) return NoKernel(n, "dilated pooling");
  Pool2dWorkload w;
  w.kind = kind;
  w.batch = x[0];
  w.channel_chunks = x[1];
  w.height = x[2];
  w.width = x[3];
  w.block = x.size() == 5 ? x[4] : 1;
  w.kernel_h = a->kernel[0];
  w.kernel_w = a->kernel[1];
  w.stride_h = a->strides[0];
  w.stride_w = a->strides[1];
  w.pad_top = a->pads[0];
  w.pad_left = a->pads[1];
  w.pad_bottom = a->pads[2];
  w.pad_right = a->pads[3];
  w.ceil_mode = a->ceil_mode;
  w.count_include_pad = a->count_include_pad;
  if (w.out_height() != s.out[0][2] || w.out_width() != s.out[0][3]) {
    return NoKernel(n, "this pooling window (output size differs from the graph's)");
  }
  return BuildPool2d(w, t, name);
}

LowerFn PoolOf(PoolKind kind) {
  return [kind](const graph::Node& n, const NodeShapes& s, const targets::Target& t,
                const std::string& name) { return LowerPool(kind, n, s, t, name); };
}

KILN_REGISTER(LoweringRegistry(), "max_pool", "2-D max pooling", PoolOf(PoolKind::kMax));
KILN_REGISTER(LoweringRegistry(), "avg_pool", "2-D average pooling", PoolOf(PoolKind::kAverage));

}  // namespace
}  // namespace kiln::ir::ops

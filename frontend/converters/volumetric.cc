#include "frontend/converters/volumetric.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/graph_steps.h"
#include "ir/ops/window.h"

namespace kiln::frontend {
namespace {

// The window attributes of a 3-D node, explicit pads [d, h, w, d, h, w].
struct Window3d {
  std::vector<int64_t> kernel, strides, dilations, pads;
};

absl::StatusOr<Window3d> ReadWindow(ImportContext& c, const std::vector<int64_t>& kernel) {
  Window3d w;
  w.kernel = kernel;
  KILN_ASSIGN(strides, c.AttrInts("strides", std::vector<int64_t>{1, 1, 1}));
  KILN_ASSIGN(dilations, c.AttrInts("dilations", std::vector<int64_t>{1, 1, 1}));
  KILN_ASSIGN(auto_pad, c.AttrString("auto_pad", "NOTSET"));
  KILN_ASSIGN(pads, c.AttrInts("pads", std::vector<int64_t>(6, 0)));
  if (auto_pad == "VALID") {
    pads.assign(6, 0);
  } else if (auto_pad != "NOTSET") {
    return c.Unsupported(absl::StrCat("auto_pad '", auto_pad, "' in 3-D"));
  }
  if (kernel.size() != 3 || strides.size() != 3 || dilations.size() != 3 || pads.size() != 6) {
    return c.Invalid("a 3-D window needs 3 kernel sizes, strides and dilations and 6 pads");
  }
  w.strides = strides;
  w.dilations = dilations;
  w.pads = pads;
  return w;
}

// Elements start, start + step, ... (count of them) along `axis`.
int StridedSlice(GraphSteps& s, int v, int64_t axis, int64_t start, int64_t step, int64_t count) {
  const std::vector<int64_t>& shape = s.Shape(v);
  std::vector<int64_t> starts(shape.size(), 0), ends = shape, steps(shape.size(), 1);
  starts[axis] = start;
  ends[axis] = start + (count - 1) * step + 1;
  steps[axis] = step;
  return s.Op("slice", {v}, {{"starts", starts}, {"ends", ends}, {"steps", steps}});
}

const std::vector<int64_t> kSwapChannelsAndDepth = {0, 2, 1, 3, 4};

}  // namespace

Converter WithVolumetric(Converter planar, Converter volumetric) {
  return [planar, volumetric](ImportContext& c) -> absl::Status {
    const bool rank5 = c.num_inputs() > 0 && c.HasInput(0) && c.InputType(0).shape.size() == 5;
    return rank5 ? volumetric(c) : planar(c);
  };
}

absl::Status VolumetricConv(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 2));
  KILN_ASSIGN(bias, c.Input(2));  // -1 when absent
  const std::vector<int64_t> x = c.InputType(0).shape, w = c.InputType(1).shape;
  if (w.size() != 5) return c.Invalid(absl::StrCat("weight of rank ", w.size(), "; expected 5"));
  KILN_ASSIGN(window, ReadWindow(c, {w[2], w[3], w[4]}));
  KILN_ASSIGN(group, c.AttrInt("group", 1));
  const int64_t out_depth =
      ir::ops::WindowOutputSize(x[2], w[2], window.strides[0], window.dilations[0],
                                window.pads[0], window.pads[3], /*ceil_mode=*/false);
  if (out_depth < 1) return c.Invalid("the output would be empty");
  GraphSteps s(c);
  int data = in[0];
  if (window.pads[0] > 0 || window.pads[3] > 0) {
    std::vector<int64_t> pads(10, 0);
    pads[2] = window.pads[0];
    pads[7] = window.pads[3];
    data = s.Op("pad", {data}, {{"pads", pads}, {"mode", std::string("constant")}, {"value", 0.0}});
  }
  const GraphSteps::Attrs conv2d = {
      {"strides", std::vector<int64_t>{window.strides[1], window.strides[2]}},
      {"dilations", std::vector<int64_t>{window.dilations[1], window.dilations[2]}},
      {"pads", std::vector<int64_t>{window.pads[1], window.pads[2], window.pads[4], window.pads[5]}},
      {"group", group}};
  int sum = -1;
  std::vector<int64_t> out_shape;
  for (int64_t kd = 0; kd < w[2]; ++kd) {
    // The input depths that meet kernel depth kd, as a batch of images.
    const int slices = StridedSlice(s, data, 2, kd * window.dilations[0], window.strides[0], out_depth);
    const int images = s.Reshape(s.Op("transpose", {slices}, {{"perm", kSwapChannelsAndDepth}}),
                                 {x[0] * out_depth, x[1], x[3], x[4]});
    const int kernel = s.Reshape(s.Slice(in[1], 2, kd, kd + 1), {w[0], w[1], w[3], w[4]});
    const int partial = s.Op("conv", {images, kernel}, conv2d);
    sum = sum < 0 ? partial : s.Op("add", {sum, partial});
  }
  const std::vector<int64_t>& planes = s.Shape(sum);  // [N * D', O, H', W']
  if (!s.status().ok()) return s.status();
  int y = s.Reshape(sum, {x[0], out_depth, w[0], planes[2], planes[3]});
  y = s.Op("transpose", {y}, {{"perm", kSwapChannelsAndDepth}});
  if (bias >= 0) y = s.Op("add", {y, s.Reshape(bias, {1, w[0], 1, 1, 1})});
  return s.Bind(y);
}

Converter VolumetricPool(std::string op) {
  return [op](ImportContext& c) -> absl::Status {
    if (c.node().output_size() > 1 && !c.node().output(1).empty()) {
      return c.Unsupported("the indices output");
    }
    KILN_ASSIGN(in, Inputs(c, 1));
    KILN_ASSIGN(kernel, c.AttrInts("kernel_shape", std::nullopt));
    KILN_ASSIGN(window, ReadWindow(c, kernel));
    if (window.dilations != std::vector<int64_t>{1, 1, 1}) return c.Unsupported("dilated pooling");
    KILN_ASSIGN(storage, c.AttrInt("storage_order", 0));
    if (storage != 0) return c.Unsupported("storage_order=1");
    KILN_ASSIGN(ceil_mode, c.AttrInt("ceil_mode", 0));
    KILN_ASSIGN(include_pad, c.AttrInt("count_include_pad", 0));
    const std::vector<int64_t> x = c.InputType(0).shape;
    const auto& k = window.kernel;
    const auto& st = window.strides;
    const auto& p = window.pads;
    auto pool = [&](GraphSteps& s, int v, std::vector<int64_t> kernel2d,
                    std::vector<int64_t> strides2d, std::vector<int64_t> pads2d) {
      return s.Op(op, {v}, {{"kernel_shape", std::move(kernel2d)},
                            {"strides", std::move(strides2d)},
                            {"pads", std::move(pads2d)},
                            {"ceil_mode", ceil_mode},
                            {"count_include_pad", include_pad}});
    };
    GraphSteps s(c);
    // Over (H, W), depth folded into the channels; then over (D, H' * W').
    const int planar = pool(s, s.Reshape(in[0], {x[0], x[1] * x[2], x[3], x[4]}), {k[1], k[2]},
                            {st[1], st[2]}, {p[1], p[2], p[4], p[5]});
    const std::vector<int64_t> hw = s.Shape(planar);
    if (!s.status().ok()) return s.status();
    const int deep = pool(s, s.Reshape(planar, {x[0], x[1], x[2], hw[2] * hw[3]}), {k[0], 1},
                          {st[0], 1}, {p[0], 0, p[3], 0});
    const std::vector<int64_t> d = s.Shape(deep);
    if (!s.status().ok()) return s.status();
    return s.Bind(s.Reshape(deep, {x[0], x[1], d[2], hw[2], hw[3]}));
  };
}

}  // namespace kiln::frontend

#include "passes/conv_transpose_as_conv.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ir/graph/attrs_data_movement.h"
#include "ir/graph/attrs_nn.h"
#include "passes/graph_edit.h"

namespace kiln::passes {
namespace {

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

bool Rewritable(const graph::Graph& g, const graph::Node& n) {
  if (n.op != "conv_transpose" || n.inputs.size() < 2) return false;
  auto attrs = graph::ConvTransposeAttrs::Read(n);
  if (!attrs.ok() || attrs->group != 1 || attrs->dilations != std::vector<int64_t>{1, 1}) {
    return false;
  }
  for (size_t i = 1; i < n.inputs.size(); ++i) {
    if (n.inputs[i] < 0) continue;
    const graph::Value& v = g.value(n.inputs[i]);
    if (!v.constant || v.type.dtype != runtime::DType::kFloat32) return false;
  }
  return g.value(n.inputs[0]).type.shape.size() == 4 &&
         g.value(n.inputs[0]).type.dtype == runtime::DType::kFloat32;
}

// The nodes replacing one conv_transpose `n`, in order.
absl::StatusOr<std::vector<graph::Node>> Rewrite(graph::Graph& g, const graph::Node& n) {
  auto attrs = graph::ConvTransposeAttrs::Read(n);
  if (!attrs.ok()) return attrs.status();
  const std::vector<int64_t> x = g.value(n.inputs[0]).type.shape;
  const graph::NDArray& w = *g.value(n.inputs[1]).constant;
  const std::vector<int64_t> out = g.value(n.outputs[0]).type.shape;
  const int64_t batch = x[0], in_c = x[1], in_h = x[2], in_w = x[3];
  const int64_t out_c = w.shape()[1], kh = w.shape()[2], kw = w.shape()[3];
  const int64_t sh = attrs->strides[0], sw = attrs->strides[1];
  const int64_t pad_top = attrs->pads[0], pad_left = attrs->pads[1];
  const int64_t taps_h = CeilDiv(kh, sh), taps_w = CeilDiv(kw, sw);
  // Rows of the phase grid: enough that every output row has its phase row
  // (output_padding and asymmetric pads included), at least the input's.
  const int64_t rows = std::max(in_h, CeilDiv(pad_top + out[2], sh));
  const int64_t cols = std::max(in_w, CeilDiv(pad_left + out[3], sw));
  const int64_t phases = sh * sw;

  // weight[(ry, rx, o), c, ty, tx] = w[c, o, ry + sh (taps_h - 1 - ty), ...]
  auto weight = graph::NDArray::Empty({phases * out_c, in_c, taps_h, taps_w},
                                      runtime::DType::kFloat32);
  if (!weight.ok()) return weight.status();
  float* v = weight->data<float>();
  const float* src = w.data<float>();
  int64_t at = 0;
  for (int64_t ry = 0; ry < sh; ++ry)
    for (int64_t rx = 0; rx < sw; ++rx)
      for (int64_t o = 0; o < out_c; ++o)
        for (int64_t c = 0; c < in_c; ++c)
          for (int64_t ty = 0; ty < taps_h; ++ty)
            for (int64_t tx = 0; tx < taps_w; ++tx, ++at) {
              const int64_t ky = ry + sh * (taps_h - 1 - ty), kx = rx + sw * (taps_w - 1 - tx);
              v[at] = ky < kh && kx < kw ? src[((c * out_c + o) * kh + ky) * kw + kx] : 0.0f;
            }

  const std::string name = n.name.empty() ? g.value(n.outputs[0]).name : n.name;
  std::vector<int> conv_inputs = {n.inputs[0], g.AddConstant(name + "_phase_weight", *weight)};
  if (n.inputs.size() > 2 && n.inputs[2] >= 0) {
    auto bias = graph::NDArray::Empty({phases * out_c}, runtime::DType::kFloat32);
    if (!bias.ok()) return bias.status();
    const float* b = g.value(n.inputs[2]).constant->data<float>();
    for (int64_t i = 0; i < phases * out_c; ++i) bias->data<float>()[i] = b[i % out_c];
    conv_inputs.push_back(g.AddConstant(name + "_phase_bias", *bias));
  }

  // The convolution kernels take symmetric padding: the side that needs
  // less gets as much as the other, which adds `extra` phase rows (columns)
  // in front that the crop skips.
  const int64_t pad_h = std::max(taps_h - 1, rows - in_h), pad_w = std::max(taps_w - 1, cols - in_w);
  const int64_t extra_h = pad_h - (taps_h - 1), extra_w = pad_w - (taps_w - 1);
  const int64_t conv_rows = in_h + 2 * pad_h - taps_h + 1, conv_cols = in_w + 2 * pad_w - taps_w + 1;
  const int64_t top = pad_top + extra_h * sh, left = pad_left + extra_w * sw;

  std::vector<graph::Node> nodes;
  const std::vector<int64_t> full = {batch, out_c, conv_rows * sh, conv_cols * sw};
  const bool crop = full != out;
  // Each step writes a new value, except the last, which writes n's output.
  auto step = [&](const std::string& suffix, const std::string& op, std::vector<int> inputs,
                  std::vector<int64_t> shape, bool last) {
    const int output = last ? n.outputs[0]
                            : g.AddValue(name + "_" + suffix,
                                         {runtime::DType::kFloat32, std::move(shape)});
    nodes.push_back({name + "_" + suffix, op, std::move(inputs), {output}, {}});
    return output;
  };

  const bool interleave = phases > 1;
  int value = step("phases", "conv", conv_inputs, {batch, phases * out_c, conv_rows, conv_cols},
                   !interleave && !crop);
  graph::Conv2dAttrs conv;
  conv.pads = {pad_h, pad_w, pad_h, pad_w};
  conv.Write(nodes.back());
  if (interleave) {
    // Channels (ry, rx, o) of phase pixel (R, C) go to channel o of pixel
    // (R sh + ry, C sw + rx).
    value = step("interleave", "depth_to_space", {value}, full, !crop);
    graph::DepthToSpaceAttrs{sh, sw}.Write(nodes.back());
  }
  if (crop) {
    step("crop", "slice", {value}, out, true);
    graph::SliceAttrs{{0, 0, top, left}, {batch, out_c, top + out[2], left + out[3]}, {1, 1, 1, 1}}
        .Write(nodes.back());
  }
  return nodes;
}

}  // namespace

absl::Status ConvTransposeAsConv(graph::Graph& g) {
  std::vector<graph::Node> nodes;
  for (graph::Node& n : g.mutable_nodes()) {
    if (!Rewritable(g, n)) {
      nodes.push_back(std::move(n));
      continue;
    }
    auto replacement = Rewrite(g, n);
    if (!replacement.ok()) return replacement.status();
    for (graph::Node& r : *replacement) nodes.push_back(std::move(r));
  }
  ReplaceNodes(g, std::move(nodes));
  return g.Verify();
}

}  // namespace kiln::passes

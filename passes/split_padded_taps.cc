#include "passes/split_padded_taps.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ir/graph/attrs_data_movement.h"
#include "ir/graph/attrs_nn.h"
#include "passes/graph_edit.h"

namespace kiln::passes {
namespace {

// Output positions [begin, end) of one axis whose windows read the image
// through kernel taps [first_tap, last_tap], and the input positions
// [first_read, last_read] those taps read.
struct Band {
  int64_t begin, end, first_tap, last_tap, first_read, last_read;
};

// The bands of one axis of `size` input positions, `out` output positions,
// `taps` kernel taps at `stride` and `dilation` with `pad` in front; empty
// when some output position reads no input at all (its value is the bias
// alone, which the bands cannot express). `inside` counts the taps that
// read the image.
std::vector<Band> Bands(int64_t size, int64_t out, int64_t taps, int64_t stride,
                        int64_t dilation, int64_t pad, int64_t& inside) {
  std::vector<Band> bands;
  inside = 0;
  for (int64_t o = 0; o < out; ++o) {
    const int64_t start = o * stride - pad;
    int64_t first = 0, last = taps - 1;
    while (first < taps && start + first * dilation < 0) ++first;
    while (last >= 0 && start + last * dilation >= size) --last;
    if (first > last) return {};
    inside += last - first + 1;
    if (!bands.empty() && bands.back().first_tap == first && bands.back().last_tap == last) {
      bands.back().end = o + 1;
      bands.back().last_read = start + last * dilation;
      continue;
    }
    bands.push_back({o, o + 1, first, last, start + first * dilation, start + last * dilation});
  }
  return bands;
}

bool Rewritable(const graph::Graph& g, const graph::Node& n, const graph::Conv2dAttrs& a) {
  if (n.op != "conv" || n.inputs.size() < 2 || n.inputs[1] < 0) return false;
  const graph::Value& x = g.value(n.inputs[0]);
  const graph::Value& w = g.value(n.inputs[1]);
  if (x.type.dtype != runtime::DType::kFloat32 || x.type.shape.size() != 4 || !w.constant ||
      w.type.dtype != runtime::DType::kFloat32 || w.type.shape.size() != 4) {
    return false;
  }
  if (n.inputs.size() > 2 && n.inputs[2] >= 0 && !g.value(n.inputs[2]).constant) return false;
  return a.dilations[0] > 1 || a.dilations[1] > 1;
}

// The nodes replacing conv `n`, or none when it stays.
absl::StatusOr<std::vector<graph::Node>> Split(graph::Graph& g, const graph::Node& n,
                                               double min_saved_flop) {
  auto a = graph::Conv2dAttrs::Read(n);
  if (!a.ok() || !Rewritable(g, n, *a)) return std::vector<graph::Node>{};
  const std::vector<int64_t> x = g.value(n.inputs[0]).type.shape;
  // A handle, not a reference: adding values below moves the graph's.
  const graph::NDArray w = *g.value(n.inputs[1]).constant;
  const std::vector<int64_t> out = g.value(n.outputs[0]).type.shape;
  const int64_t kh = w.shape()[2], kw = w.shape()[3];
  int64_t inside_h = 0, inside_w = 0;
  const std::vector<Band> rows =
      Bands(x[2], out[2], kh, a->strides[0], a->dilations[0], a->pads[0], inside_h);
  const std::vector<Band> cols =
      Bands(x[3], out[3], kw, a->strides[1], a->dilations[1], a->pads[1], inside_w);
  if (rows.empty() || cols.empty()) return std::vector<graph::Node>{};
  const double share = static_cast<double>(inside_h) / static_cast<double>(out[2] * kh) *
                       static_cast<double>(inside_w) / static_cast<double>(out[3] * kw);
  // Multiply-adds of the whole convolution: w is [O, I / group, kh, kw].
  const double flop = 2.0 * static_cast<double>(out[0] * out[1] * out[2] * out[3]) *
                      static_cast<double>(w.shape()[1] * kh * kw);
  if (share > kMaxPaddedShare || flop * (1 - share) < min_saved_flop) {
    return std::vector<graph::Node>{};
  }

  const std::string name = n.name.empty() ? g.value(n.outputs[0]).name : n.name;
  std::vector<graph::Node> nodes;
  auto add = [&](const std::string& suffix, const std::string& op, std::vector<int> inputs,
                 std::vector<int64_t> shape, int output) {
    if (output < 0) {
      output = g.AddValue(name + "_" + suffix, {runtime::DType::kFloat32, std::move(shape)});
    }
    nodes.push_back({name + "_" + suffix, op, std::move(inputs), {output}, {}});
    return output;
  };
  std::vector<int> row_parts;
  for (size_t r = 0; r < rows.size(); ++r) {
    std::vector<int> parts;
    for (size_t c = 0; c < cols.size(); ++c) {
      const Band& br = rows[r];
      const Band& bc = cols[c];
      const std::string band = absl::StrCat("band", r, "_", c);
      // The input rows and columns the band's taps read, all inside.
      const int input = add(band + "_input", "slice", {n.inputs[0]},
                            {x[0], x[1], br.last_read - br.first_read + 1,
                             bc.last_read - bc.first_read + 1},
                            -1);
      graph::SliceAttrs{{0, 0, br.first_read, bc.first_read},
                        {x[0], x[1], br.last_read + 1, bc.last_read + 1},
                        {1, 1, 1, 1}}
          .Write(nodes.back());
      // The kernel's taps [first_tap, last_tap] of each axis.
      const int64_t th = br.last_tap - br.first_tap + 1, tw = bc.last_tap - bc.first_tap + 1;
      auto taps = graph::NDArray::Empty({w.shape()[0], w.shape()[1], th, tw},
                                        runtime::DType::kFloat32);
      if (!taps.ok()) return taps.status();
      float* dst = taps->data<float>();
      const float* src = w.data<float>();
      for (int64_t oi = 0; oi < w.shape()[0] * w.shape()[1]; ++oi)
        for (int64_t i = 0; i < th; ++i)
          for (int64_t j = 0; j < tw; ++j) {
            *dst++ = src[(oi * kh + br.first_tap + i) * kw + bc.first_tap + j];
          }
      std::vector<int> conv_inputs = {input, g.AddConstant(name + "_" + band + "_weight", *taps)};
      if (n.inputs.size() > 2 && n.inputs[2] >= 0) conv_inputs.push_back(n.inputs[2]);
      const bool only = rows.size() == 1 && cols.size() == 1;
      parts.push_back(add(band, "conv", conv_inputs,
                          {out[0], out[1], br.end - br.begin, bc.end - bc.begin},
                          only ? n.outputs[0] : -1));
      graph::Conv2dAttrs sub = *a;
      sub.pads = {0, 0, 0, 0};
      sub.Write(nodes.back());
    }
    if (parts.size() == 1) {
      row_parts.push_back(parts[0]);
      continue;
    }
    const bool last = rows.size() == 1;
    row_parts.push_back(add(absl::StrCat("row", r), "concat", parts,
                            {out[0], out[1], rows[r].end - rows[r].begin, out[3]},
                            last ? n.outputs[0] : -1));
    graph::ConcatAttrs{3}.Write(nodes.back());
  }
  if (rows.size() > 1) {
    add("rows", "concat", row_parts, out, n.outputs[0]);
    graph::ConcatAttrs{2}.Write(nodes.back());
  }
  return nodes;
}

}  // namespace

absl::Status SplitPaddedTaps(graph::Graph& g, double min_saved_flop) {
  std::vector<graph::Node> nodes;
  for (graph::Node& n : g.mutable_nodes()) {
    auto replacement = Split(g, n, min_saved_flop);
    if (!replacement.ok()) return replacement.status();
    if (replacement->empty()) {
      nodes.push_back(std::move(n));
      continue;
    }
    for (graph::Node& r : *replacement) nodes.push_back(std::move(r));
  }
  ReplaceNodes(g, std::move(nodes));
  return g.Verify();
}

}  // namespace kiln::passes

#include "frontend/converters/dilated_pool.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/graph_steps.h"
#include "ir/ops/window.h"

namespace kiln::frontend {
namespace {

// Max pooling over the input's strided slices, one per kernel tap (padded
// with -inf), folded with a strict maximum so that the first of equal
// values wins, as ONNX Runtime picks; with `indices` set, the same
// comparisons carry each window's argmax as a flat index into the input
// (row-major per plane, or column-major with storage_order=1).
absl::Status TapMaxPool(ImportContext& c, const std::vector<int64_t>& dilations, bool indices) {
  KILN_ASSIGN(in, Inputs(c, 1));
  const std::vector<int64_t> x = c.InputType(0).shape;
  KILN_ASSIGN(kernel, c.AttrInts("kernel_shape", std::nullopt));
  KILN_ASSIGN(strides, c.AttrInts("strides", std::vector<int64_t>{1, 1}));
  KILN_ASSIGN(auto_pad, c.AttrString("auto_pad", "NOTSET"));
  KILN_ASSIGN(pads, c.AttrInts("pads", std::vector<int64_t>{0, 0, 0, 0}));
  KILN_ASSIGN(ceil_mode, c.AttrInt("ceil_mode", 0));
  KILN_ASSIGN(storage, c.AttrInt("storage_order", 0));
  if (storage != 0 && storage != 1) {
    return c.Invalid(absl::StrCat("storage_order is ", storage, "; expected 0 or 1"));
  }
  if (storage != 0 && !indices) return c.Unsupported("storage_order=1 without the indices output");
  if (auto_pad == "VALID") {
    pads.assign(4, 0);
  } else if (auto_pad != "NOTSET") {
    return c.Unsupported(absl::StrCat("auto_pad '", auto_pad, "' with dilations or indices"));
  }
  if (kernel.size() != 2 || strides.size() != 2 || pads.size() != 4) {
    return c.Invalid("2-D pooling needs 2 kernel sizes and strides and 4 pads");
  }
  // Per axis: the output size, and the end padding that makes the last
  // window's taps land inside the padded input.
  std::vector<int64_t> out(2), end_pad(2);
  for (int a = 0; a < 2; ++a) {
    out[a] = ir::ops::WindowOutputSize(x[2 + a], kernel[a], strides[a], dilations[a], pads[a],
                                       pads[2 + a], ceil_mode != 0);
    if (out[a] < 1) return c.Invalid("the window is larger than the padded input");
    const int64_t needed = (out[a] - 1) * strides[a] + dilations[a] * (kernel[a] - 1) + 1;
    end_pad[a] = std::max<int64_t>(pads[2 + a], needed - x[2 + a] - pads[a]);
  }
  GraphSteps s(c);
  const int padded =
      s.Op("pad", {in[0]},
           {{"pads", std::vector<int64_t>{0, 0, pads[0], pads[1], 0, 0, end_pad[0], end_pad[1]}},
            {"mode", std::string("constant")},
            {"value", -std::numeric_limits<double>::infinity()}});
  // Where tap (ky, kx) of each window reads, as a flat index in its plane.
  auto tap_index = [&](int64_t ky, int64_t kx) {
    std::vector<int64_t> at(out[0] * out[1]);
    for (int64_t i = 0; i < out[0]; ++i) {
      for (int64_t j = 0; j < out[1]; ++j) {
        const int64_t h = i * strides[0] + ky * dilations[0] - pads[0];
        const int64_t w = j * strides[1] + kx * dilations[1] - pads[1];
        at[i * out[1] + j] = storage == 0 ? h * x[3] + w : w * x[2] + h;
      }
    }
    return s.Int64Constant({out[0], out[1]}, at);
  };
  int result = -1, argmax = -1;
  for (int64_t ky = 0; ky < kernel[0]; ++ky) {
    for (int64_t kx = 0; kx < kernel[1]; ++kx) {
      const std::vector<int64_t> starts = {0, 0, ky * dilations[0], kx * dilations[1]};
      const std::vector<int64_t> ends = {x[0], x[1],
                                         starts[2] + (out[0] - 1) * strides[0] + 1,
                                         starts[3] + (out[1] - 1) * strides[1] + 1};
      const int tap = s.Op("slice", {padded}, {{"starts", starts}, {"ends", ends},
                                              {"steps", std::vector<int64_t>{1, 1, strides[0],
                                                                             strides[1]}}});
      if (result < 0) {
        result = tap;
        if (indices) argmax = tap_index(ky, kx);
        continue;
      }
      if (!indices) {
        result = s.Op("max", {result, tap});
        continue;
      }
      const int larger = s.Op("greater", {tap, result});
      result = s.Op("where", {larger, tap, result});
      argmax = s.Op("where", {larger, tap_index(ky, kx), argmax});
    }
  }
  if (!indices) return s.Bind(result);
  // Planes before each (n, c) one: the indices count over the whole input.
  std::vector<int64_t> offsets(x[0] * x[1]);
  for (int64_t p = 0; p < x[0] * x[1]; ++p) offsets[p] = p * x[2] * x[3];
  const int plane = s.Int64Constant({x[0], x[1], 1, 1}, offsets);
  if (absl::Status st = s.Bind(result, 0); !st.ok()) return st;
  return s.Bind(s.Op("add", {argmax, plane}), 1);
}

}  // namespace

Converter WithTapMaxPool(Converter max_pool) {
  return [max_pool](ImportContext& c) -> absl::Status {
    KILN_ASSIGN(dilations, c.AttrInts("dilations", std::vector<int64_t>{1, 1}));
    const bool dilated = std::any_of(dilations.begin(), dilations.end(),
                                     [](int64_t d) { return d != 1; });
    const bool indices = c.node().output_size() > 1 && !c.node().output(1).empty();
    if ((!dilated && !indices) || c.InputType(0).shape.size() != 4 || dilations.size() != 2) {
      return max_pool(c);
    }
    return TapMaxPool(c, dilations, indices);
  };
}

}  // namespace kiln::frontend

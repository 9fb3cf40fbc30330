#include "frontend/converters/dilated_pool.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/graph_steps.h"
#include "ir/ops/window.h"

namespace kiln::frontend {
namespace {

absl::Status DilatedMaxPool(ImportContext& c, const std::vector<int64_t>& dilations) {
  if (c.node().output_size() > 1 && !c.node().output(1).empty()) {
    return c.Unsupported("the indices output");
  }
  KILN_ASSIGN(in, Inputs(c, 1));
  const std::vector<int64_t> x = c.InputType(0).shape;
  KILN_ASSIGN(kernel, c.AttrInts("kernel_shape", std::nullopt));
  KILN_ASSIGN(strides, c.AttrInts("strides", std::vector<int64_t>{1, 1}));
  KILN_ASSIGN(auto_pad, c.AttrString("auto_pad", "NOTSET"));
  KILN_ASSIGN(pads, c.AttrInts("pads", std::vector<int64_t>{0, 0, 0, 0}));
  KILN_ASSIGN(ceil_mode, c.AttrInt("ceil_mode", 0));
  KILN_ASSIGN(storage, c.AttrInt("storage_order", 0));
  if (storage != 0) return c.Unsupported("storage_order=1");
  if (auto_pad == "VALID") {
    pads.assign(4, 0);
  } else if (auto_pad != "NOTSET") {
    return c.Unsupported(absl::StrCat("auto_pad '", auto_pad, "' with dilations"));
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
  int result = -1;
  for (int64_t ky = 0; ky < kernel[0]; ++ky) {
    for (int64_t kx = 0; kx < kernel[1]; ++kx) {
      const std::vector<int64_t> starts = {0, 0, ky * dilations[0], kx * dilations[1]};
      const std::vector<int64_t> ends = {x[0], x[1],
                                         starts[2] + (out[0] - 1) * strides[0] + 1,
                                         starts[3] + (out[1] - 1) * strides[1] + 1};
      const int tap = s.Op("slice", {padded}, {{"starts", starts}, {"ends", ends},
                                              {"steps", std::vector<int64_t>{1, 1, strides[0],
                                                                             strides[1]}}});
      result = result < 0 ? tap : s.Op("max", {result, tap});
    }
  }
  return s.Bind(result);
}

}  // namespace

Converter WithDilatedMaxPool(Converter max_pool) {
  return [max_pool](ImportContext& c) -> absl::Status {
    KILN_ASSIGN(dilations, c.AttrInts("dilations", std::vector<int64_t>{1, 1}));
    const bool dilated = std::any_of(dilations.begin(), dilations.end(),
                                     [](int64_t d) { return d != 1; });
    if (!dilated || c.InputType(0).shape.size() != 4 || dilations.size() != 2) return max_pool(c);
    return DilatedMaxPool(c, dilations);
  };
}

}  // namespace kiln::frontend

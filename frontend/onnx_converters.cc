// ONNX operators -> kiln graph operators, per opset version. Attributes that
// later opsets turned into inputs (Clip's bounds, Reshape's shape, Split's
// sizes, Slice's ranges, Squeeze's axes, Pad's pads, ReduceSum's axes) are
// read from either place and normalized into kiln attributes.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "frontend/onnx_context.h"

namespace kiln::frontend {
namespace {

using graph::AttrValue;
using Attrs = absl::flat_hash_map<std::string, AttrValue>;

// Collects the node's inputs as value ids.
absl::StatusOr<std::vector<int>> Inputs(ImportContext& c, int count) {
  std::vector<int> ids;
  for (int i = 0; i < count; ++i) {
    auto id = c.Input(i);
    if (!id.ok()) return id.status();
    ids.push_back(*id);
  }
  return ids;
}

#define KILN_ASSIGN(lhs, expr)      \
  auto lhs##_or = (expr);           \
  if (!lhs##_or.ok()) return lhs##_or.status(); \
  auto lhs = *std::move(lhs##_or)

Converter Unary(std::string op) {
  return [op](ImportContext& c) -> absl::Status {
    KILN_ASSIGN(in, Inputs(c, 1));
    return c.Emit(op, in, {});
  };
}

Converter BinaryOp(std::string op) {
  return [op](ImportContext& c) -> absl::Status {
    if (c.num_inputs() != 2) return c.Unsupported(absl::StrCat(c.num_inputs(), " operands"));
    KILN_ASSIGN(in, Inputs(c, 2));
    return c.Emit(op, in, {});
  };
}

// Max/Min/Sum/Mean with any number of operands: a chain of binary ops.
Converter Variadic(std::string op) {
  return [op](ImportContext& c) -> absl::Status {
    if (c.num_inputs() == 1) {
      KILN_ASSIGN(in, Inputs(c, 1));
      c.Alias(in[0]);
      return absl::OkStatus();
    }
    if (c.num_inputs() != 2) return c.Unsupported(absl::StrCat(c.num_inputs(), " operands"));
    KILN_ASSIGN(in, Inputs(c, 2));
    return c.Emit(op, in, {});
  };
}

// Resolves auto_pad into explicit [top, left, bottom, right] pads.
absl::StatusOr<std::vector<int64_t>> Pads2d(ImportContext& c, const std::vector<int64_t>& in_hw,
                                            const std::vector<int64_t>& kernel,
                                            const std::vector<int64_t>& strides,
                                            const std::vector<int64_t>& dilations) {
  KILN_ASSIGN(auto_pad, c.AttrString("auto_pad", "NOTSET"));
  if (auto_pad == "NOTSET") {
    KILN_ASSIGN(pads, c.AttrInts("pads", std::vector<int64_t>{0, 0, 0, 0}));
    if (pads.size() != 4) return c.Invalid("pads must have 4 values for 2-D");
    return pads;
  }
  if (auto_pad == "VALID") return std::vector<int64_t>{0, 0, 0, 0};
  if (auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER") {
    return c.Unsupported(absl::StrCat("auto_pad '", auto_pad, "'"));
  }
  std::vector<int64_t> begin(2), end(2);
  for (int d = 0; d < 2; ++d) {
    const int64_t out = (in_hw[d] + strides[d] - 1) / strides[d];
    const int64_t total =
        std::max<int64_t>(0, (out - 1) * strides[d] + dilations[d] * (kernel[d] - 1) + 1 - in_hw[d]);
    begin[d] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
    end[d] = total - begin[d];
  }
  return std::vector<int64_t>{begin[0], begin[1], end[0], end[1]};
}

absl::Status Conv(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, std::min(c.num_inputs(), 3)));
  const auto& x = c.InputType(0).shape;
  const auto& w = c.InputType(1).shape;
  if (x.size() != 4 || w.size() != 4) {
    return c.Unsupported(absl::StrCat(x.size() - 2, "-D convolution"));
  }
  KILN_ASSIGN(strides, c.AttrInts("strides", std::vector<int64_t>{1, 1}));
  KILN_ASSIGN(dilations, c.AttrInts("dilations", std::vector<int64_t>{1, 1}));
  KILN_ASSIGN(group, c.AttrInt("group", 1));
  if (strides.size() != 2 || dilations.size() != 2) return c.Invalid("strides/dilations need 2 values");
  KILN_ASSIGN(pads, Pads2d(c, {x[2], x[3]}, {w[2], w[3]}, strides, dilations));
  return c.Emit("conv", in, {{"strides", strides}, {"dilations", dilations}, {"pads", pads},
                              {"group", group}});
}

absl::Status ConvTranspose(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, std::min(c.num_inputs(), 3)));
  const auto& x = c.InputType(0).shape;
  const auto& w = c.InputType(1).shape;
  if (x.size() != 4 || w.size() != 4) {
    return c.Unsupported(absl::StrCat(x.size() - 2, "-D transposed convolution"));
  }
  KILN_ASSIGN(strides, c.AttrInts("strides", std::vector<int64_t>{1, 1}));
  KILN_ASSIGN(dilations, c.AttrInts("dilations", std::vector<int64_t>{1, 1}));
  KILN_ASSIGN(output_padding, c.AttrInts("output_padding", std::vector<int64_t>{0, 0}));
  KILN_ASSIGN(group, c.AttrInt("group", 1));
  if (strides.size() != 2 || dilations.size() != 2 || output_padding.size() != 2) {
    return c.Invalid("strides, dilations and output_padding need 2 values");
  }
  KILN_ASSIGN(auto_pad, c.AttrString("auto_pad", "NOTSET"));
  KILN_ASSIGN(output_shape, c.AttrInts("output_shape", std::vector<int64_t>{}));
  std::vector<int64_t> pads(4, 0);
  // The size without padding, from which explicit output shapes and SAME
  // padding take their pads.
  const auto full = [&](int d) {
    return (x[2 + d] - 1) * strides[d] + dilations[d] * (w[2 + d] - 1) + 1 + output_padding[d];
  };
  if (!output_shape.empty() || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    if (!output_shape.empty() && output_shape.size() != 2) {
      return c.Unsupported("output_shape other than [H, W]");
    }
    for (int d = 0; d < 2; ++d) {
      const int64_t out = output_shape.empty() ? x[2 + d] * strides[d] : output_shape[d];
      const int64_t total = full(d) - out;
      if (total < 0) return c.Unsupported("output_shape larger than the full transposed conv");
      // ONNX: SAME_UPPER (and explicit output shapes) put the extra pad at the end.
      const bool lower = auto_pad == "SAME_LOWER";
      pads[d] = lower ? total - total / 2 : total / 2;
      pads[2 + d] = total - pads[d];
    }
  } else if (auto_pad == "NOTSET") {
    KILN_ASSIGN(explicit_pads, c.AttrInts("pads", std::vector<int64_t>{0, 0, 0, 0}));
    if (explicit_pads.size() != 4) return c.Invalid("pads must have 4 values for 2-D");
    pads = explicit_pads;
  } else if (auto_pad != "VALID") {
    return c.Unsupported(absl::StrCat("auto_pad '", auto_pad, "'"));
  }
  return c.Emit("conv_transpose", in,
                {{"strides", strides}, {"dilations", dilations}, {"pads", pads},
                 {"output_padding", output_padding}, {"group", group}});
}

// Resize (opset 11+; 10 differs in its coordinate rules): nearest and
// linear, with explicit output sizes or scales.
absl::Status Resize(ImportContext& c) {
  if (c.opset() < 11) return c.Unsupported("Resize before opset 11");
  KILN_ASSIGN(x, c.Input(0));
  const auto& shape = c.InputType(0).shape;
  KILN_ASSIGN(mode, c.AttrString("mode", "nearest"));
  KILN_ASSIGN(coord, c.AttrString("coordinate_transformation_mode", "half_pixel"));
  KILN_ASSIGN(nearest, c.AttrString("nearest_mode", "round_prefer_floor"));
  KILN_ASSIGN(antialias, c.AttrInt("antialias", 0));
  KILN_ASSIGN(exclude_outside, c.AttrInt("exclude_outside", 0));
  if (mode != "nearest" && mode != "linear") return c.Unsupported(absl::StrCat("mode '", mode, "'"));
  if (coord != "half_pixel" && coord != "pytorch_half_pixel" && coord != "align_corners" &&
      coord != "asymmetric" && coord != "tf_half_pixel_for_nn") {
    return c.Unsupported(absl::StrCat("coordinate_transformation_mode '", coord, "'"));
  }
  if (antialias != 0 || exclude_outside != 0 || c.Attr("axes") ||
      c.Attr("keep_aspect_ratio_policy")) {
    return c.Unsupported("antialias, exclude_outside, axes or keep_aspect_ratio_policy");
  }
  std::vector<double> scales;
  std::vector<int64_t> sizes;
  if (c.HasInput(3)) {
    KILN_ASSIGN(given, c.ConstantInts(3, "sizes"));
    sizes = given;
  } else if (c.HasInput(2)) {
    auto data = c.InputConstant(2);
    if (!data || data->dtype() != runtime::DType::kFloat32) {
      return c.Unsupported("scales that are not a float32 constant");
    }
    for (int64_t k = 0; k < data->NumElements(); ++k) scales.push_back(data->data<float>()[k]);
  }
  if (sizes.empty() && scales.empty()) return c.Invalid("neither scales nor sizes is given");
  if ((!sizes.empty() && sizes.size() != shape.size()) ||
      (!scales.empty() && scales.size() != shape.size())) {
    return c.Invalid("scales/sizes must have one value per axis");
  }
  if (scales.empty()) {
    for (size_t d = 0; d < shape.size(); ++d) {
      scales.push_back(static_cast<double>(sizes[d]) / shape[d]);
    }
  } else {
    for (size_t d = 0; d < shape.size(); ++d) {
      if (scales[d] <= 0) return c.Invalid("scales must be positive");
      sizes.push_back(static_cast<int64_t>(std::floor(shape[d] * scales[d])));
    }
  }
  return c.Emit("resize", {x},
                {{"mode", mode}, {"coordinate_transformation_mode", coord},
                 {"nearest_mode", nearest}, {"scales", scales}, {"sizes", sizes}});
}

absl::Status BatchNorm(ImportContext& c) {
  KILN_ASSIGN(training, c.AttrInt("training_mode", 0));
  if (training != 0) return c.Unsupported("training_mode=1");
  for (int k = 1; k < c.node().output_size(); ++k) {
    if (!c.node().output(k).empty()) return c.Unsupported("running statistics outputs");
  }
  KILN_ASSIGN(in, Inputs(c, 5));
  KILN_ASSIGN(eps, c.AttrFloat("epsilon", 1e-5));
  return c.Emit("batch_norm", in, {{"epsilon", eps}});
}

Converter Pool(std::string op) {
  return [op](ImportContext& c) -> absl::Status {
    if (c.node().output_size() > 1 && !c.node().output(1).empty()) {
      return c.Unsupported("the indices output");
    }
    KILN_ASSIGN(in, Inputs(c, 1));
    const auto& x = c.InputType(0).shape;
    KILN_ASSIGN(kernel, c.AttrInts("kernel_shape", std::nullopt));
    if (x.size() != 4 || kernel.size() != 2) return c.Unsupported(absl::StrCat(kernel.size(), "-D pooling"));
    KILN_ASSIGN(strides, c.AttrInts("strides", std::vector<int64_t>{1, 1}));
    KILN_ASSIGN(dilations, c.AttrInts("dilations", std::vector<int64_t>{1, 1}));
    if (dilations != std::vector<int64_t>{1, 1}) return c.Unsupported("dilated pooling");
    KILN_ASSIGN(storage, c.AttrInt("storage_order", 0));
    if (storage != 0) return c.Unsupported("storage_order=1");
    KILN_ASSIGN(pads, Pads2d(c, {x[2], x[3]}, kernel, strides, dilations));
    KILN_ASSIGN(ceil_mode, c.AttrInt("ceil_mode", 0));
    KILN_ASSIGN(include_pad, c.AttrInt("count_include_pad", 0));
    return c.Emit(op, in, {{"kernel_shape", kernel}, {"strides", strides}, {"pads", pads},
                           {"ceil_mode", ceil_mode}, {"count_include_pad", include_pad}});
  };
}

Converter GlobalPool(std::string op) {
  return [op](ImportContext& c) -> absl::Status {
    KILN_ASSIGN(in, Inputs(c, 1));
    std::vector<int64_t> axes;
    for (size_t d = 2; d < c.InputType(0).shape.size(); ++d) axes.push_back(d);
    return c.Emit(op, in, {{"axes", axes}, {"keepdims", int64_t{1}}});
  };
}

absl::Status Gemm(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, std::min(c.num_inputs(), 3)));
  KILN_ASSIGN(alpha, c.AttrFloat("alpha", 1.0));
  KILN_ASSIGN(beta, c.AttrFloat("beta", 1.0));
  KILN_ASSIGN(ta, c.AttrInt("transA", 0));
  KILN_ASSIGN(tb, c.AttrInt("transB", 0));
  return c.Emit("gemm", in, {{"alpha", alpha}, {"beta", beta}, {"trans_a", ta}, {"trans_b", tb}});
}

absl::Status Clip(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 1));
  double lo = -INFINITY, hi = INFINITY;
  if (c.opset() < 11) {
    KILN_ASSIGN(a, c.AttrFloat("min", -3.4028234663852886e38));
    KILN_ASSIGN(b, c.AttrFloat("max", 3.4028234663852886e38));
    lo = a, hi = b;
  } else {
    for (int k : {1, 2}) {
      if (!c.HasInput(k)) continue;
      auto data = c.InputConstant(k);
      if (!data || data->NumElements() != 1 || data->dtype() != runtime::DType::kFloat32) {
        return c.Unsupported("a non-constant or non-float clip bound");
      }
      (k == 1 ? lo : hi) = data->data<float>()[0];
    }
  }
  return c.Emit("clip", in, {{"min", lo}, {"max", hi}});
}

Converter WithFloatAttrs(std::string op, std::vector<std::pair<std::string, double>> defaults) {
  return [op, defaults](ImportContext& c) -> absl::Status {
    KILN_ASSIGN(in, Inputs(c, 1));
    Attrs attrs;
    for (const auto& [name, def] : defaults) {
      KILN_ASSIGN(v, c.AttrFloat(name, def));
      attrs[name] = v;
    }
    return c.Emit(op, in, attrs);
  };
}

// Reshape-like operators all become `reshape` with the final shape.
absl::Status EmitReshape(ImportContext& c, std::vector<int64_t> shape) {
  KILN_ASSIGN(in, Inputs(c, 1));
  return c.Emit("reshape", in, {{"shape", shape}});
}

absl::Status Reshape(ImportContext& c) {
  std::vector<int64_t> target;
  if (c.opset() < 5) {
    KILN_ASSIGN(s, c.AttrInts("shape", std::nullopt));
    target = s;
  } else {
    KILN_ASSIGN(s, c.ConstantInts(1, "a reshape target"));
    target = s;
  }
  KILN_ASSIGN(allowzero, c.AttrInt("allowzero", 0));
  const auto& in = c.InputType(0).shape;
  int64_t known = 1, infer = -1;
  for (size_t d = 0; d < target.size(); ++d) {
    if (target[d] == 0 && !allowzero) {
      if (d >= in.size()) return c.Invalid("a 0 in the target shape past the input's rank");
      target[d] = in[d];
    }
    if (target[d] == -1) {
      if (infer >= 0) return c.Invalid("more than one -1 in the target shape");
      infer = d;
    } else if (target[d] < 0) {
      return c.Invalid(absl::StrCat("target dimension ", target[d]));
    } else {
      known *= target[d];
    }
  }
  int64_t total = 1;
  for (int64_t d : in) total *= d;
  if (infer >= 0) {
    if (known == 0 || total % known != 0) return c.Invalid("cannot infer the -1 dimension");
    target[infer] = total / known;
  }
  return EmitReshape(c, target);
}

absl::Status Flatten(ImportContext& c) {
  const auto& in = c.InputType(0).shape;
  KILN_ASSIGN(axis, c.AttrInt("axis", 1));
  const int64_t rank = in.size();
  if (axis < -rank || axis > rank) return c.Invalid(absl::StrCat("axis ", axis));
  if (axis < 0) axis += rank;
  int64_t a = 1, b = 1;
  for (int64_t d = 0; d < rank; ++d) (d < axis ? a : b) *= in[d];
  return EmitReshape(c, {a, b});
}

absl::StatusOr<std::vector<int64_t>> AxesFromAttrOrInput(ImportContext& c, int since_opset,
                                                         int input) {
  if (c.opset() < since_opset) return c.AttrInts("axes", std::vector<int64_t>{});
  if (!c.HasInput(input)) return std::vector<int64_t>{};
  return c.ConstantInts(input, "axes");
}

absl::Status Squeeze(ImportContext& c) {
  KILN_ASSIGN(axes, AxesFromAttrOrInput(c, 13, 1));
  const auto& in = c.InputType(0).shape;
  std::vector<bool> drop(in.size(), axes.empty());
  for (int64_t a : axes) {
    if (a < 0) a += in.size();
    if (a < 0 || a >= static_cast<int64_t>(in.size()) || in[a] != 1) {
      return c.Invalid(absl::StrCat("cannot squeeze axis ", a));
    }
    drop[a] = true;
  }
  std::vector<int64_t> shape;
  for (size_t d = 0; d < in.size(); ++d) {
    if (!(drop[d] && in[d] == 1)) shape.push_back(in[d]);
  }
  return EmitReshape(c, shape);
}

absl::Status Unsqueeze(ImportContext& c) {
  KILN_ASSIGN(axes, AxesFromAttrOrInput(c, 13, 1));
  const auto& in = c.InputType(0).shape;
  const int64_t rank = in.size() + axes.size();
  std::vector<bool> added(rank, false);
  for (int64_t a : axes) {
    if (a < 0) a += rank;
    if (a < 0 || a >= rank || added[a]) return c.Invalid(absl::StrCat("unsqueeze axis ", a));
    added[a] = true;
  }
  std::vector<int64_t> shape;
  size_t next = 0;
  for (int64_t d = 0; d < rank; ++d) shape.push_back(added[d] ? 1 : in[next++]);
  return EmitReshape(c, shape);
}

absl::Status Transpose(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 1));
  std::vector<int64_t> reversed;
  for (int64_t d = c.InputType(0).shape.size() - 1; d >= 0; --d) reversed.push_back(d);
  KILN_ASSIGN(perm, c.AttrInts("perm", reversed));
  return c.Emit("transpose", in, {{"perm", perm}});
}

absl::Status Concat(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, c.num_inputs()));
  KILN_ASSIGN(axis, c.AttrInt("axis", c.opset() < 4 ? 1 : std::optional<int64_t>()));
  return c.Emit("concat", in, {{"axis", axis}});
}

absl::Status Split(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 1));
  KILN_ASSIGN(axis, c.AttrInt("axis", 0));
  const auto& shape = c.InputType(0).shape;
  const int64_t rank = shape.size();
  if (axis < -rank || axis >= rank) return c.Invalid(absl::StrCat("axis ", axis));
  if (axis < 0) axis += rank;
  std::vector<int64_t> sizes;
  if (c.opset() < 13 && c.Attr("split")) {
    KILN_ASSIGN(s, c.AttrInts("split", std::nullopt));
    sizes = s;
  } else if (c.opset() >= 13 && c.HasInput(1)) {
    KILN_ASSIGN(s, c.ConstantInts(1, "split sizes"));
    sizes = s;
  } else {
    const int64_t parts = c.node().output_size();
    const int64_t chunk = (shape[axis] + parts - 1) / parts;
    for (int64_t k = 0; k < parts; ++k) {
      sizes.push_back(std::min(chunk, shape[axis] - k * chunk));
    }
  }
  return c.Emit("split", in, {{"axis", axis}, {"split", sizes}}, sizes.size());
}

absl::Status Slice(ImportContext& c) {
  std::vector<int64_t> starts, ends, axes, steps;
  if (c.opset() < 10) {
    KILN_ASSIGN(s, c.AttrInts("starts", std::nullopt));
    KILN_ASSIGN(e, c.AttrInts("ends", std::nullopt));
    KILN_ASSIGN(a, c.AttrInts("axes", std::vector<int64_t>{}));
    starts = s, ends = e, axes = a;
  } else {
    KILN_ASSIGN(s, c.ConstantInts(1, "slice starts"));
    KILN_ASSIGN(e, c.ConstantInts(2, "slice ends"));
    starts = s, ends = e;
    if (c.HasInput(3)) {
      KILN_ASSIGN(a, c.ConstantInts(3, "slice axes"));
      axes = a;
    }
    if (c.HasInput(4)) {
      KILN_ASSIGN(st, c.ConstantInts(4, "slice steps"));
      steps = st;
    }
  }
  const auto& shape = c.InputType(0).shape;
  const int64_t rank = shape.size();
  if (axes.empty()) {
    for (size_t k = 0; k < starts.size(); ++k) axes.push_back(k);
  }
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size()) {
    return c.Invalid("starts, ends, axes and steps differ in length");
  }
  std::vector<int64_t> s(rank, 0), e(shape), st(rank, 1);
  for (size_t k = 0; k < axes.size(); ++k) {
    int64_t a = axes[k] < 0 ? axes[k] + rank : axes[k];
    if (a < 0 || a >= rank) return c.Invalid(absl::StrCat("slice axis ", axes[k]));
    const int64_t dim = shape[a], step = steps[k];
    if (step == 0) return c.Invalid("slice step 0");
    int64_t start = starts[k] < 0 ? starts[k] + dim : starts[k];
    int64_t end = ends[k] < 0 ? ends[k] + dim : ends[k];
    if (step > 0) {
      s[a] = std::clamp<int64_t>(start, 0, dim);
      e[a] = std::clamp<int64_t>(end, 0, dim);
    } else {
      s[a] = std::clamp<int64_t>(start, 0, dim - 1);
      e[a] = std::clamp<int64_t>(end, -1, dim - 1);
    }
    st[a] = step;
  }
  KILN_ASSIGN(in, Inputs(c, 1));
  return c.Emit("slice", in, {{"starts", s}, {"ends", e}, {"steps", st}});
}

absl::Status Gather(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 2));
  KILN_ASSIGN(axis, c.AttrInt("axis", 0));
  return c.Emit("gather", in, {{"axis", axis}});
}

absl::Status Cast(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 1));
  KILN_ASSIGN(to, c.AttrInt("to", std::nullopt));
  auto name = DTypeNameFromOnnx(to);
  if (!name.ok()) return c.Unsupported(std::string(name.status().message()));
  return c.Emit("cast", in, {{"to", *name}});
}

absl::Status Shape(ImportContext& c) {
  const auto& shape = c.InputType(0).shape;
  const int64_t rank = shape.size();
  KILN_ASSIGN(start, c.AttrInt("start", 0));
  KILN_ASSIGN(end, c.AttrInt("end", rank));
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  KILN_ASSIGN(data, graph::NDArray::Empty({end - start}, runtime::DType::kInt64));
  for (int64_t d = start; d < end; ++d) data.data<int64_t>()[d - start] = shape[d];
  c.EmitConstant(data);
  return absl::OkStatus();
}

absl::Status Pad(ImportContext& c) {
  KILN_ASSIGN(mode, c.AttrString("mode", "constant"));
  std::vector<int64_t> pads;
  double value = 0;
  if (c.opset() < 11) {
    KILN_ASSIGN(p, c.AttrInts(c.opset() < 2 ? "paddings" : "pads", std::nullopt));
    KILN_ASSIGN(v, c.AttrFloat("value", 0.0));
    pads = p, value = v;
  } else {
    KILN_ASSIGN(p, c.ConstantInts(1, "pads"));
    pads = p;
    if (c.HasInput(2)) {
      auto v = c.InputConstant(2);
      if (!v || v->NumElements() != 1 || v->dtype() != runtime::DType::kFloat32) {
        return c.Unsupported("a non-constant or non-float pad value");
      }
      value = v->data<float>()[0];
    }
    if (c.HasInput(3)) return c.Unsupported("the axes input");
  }
  KILN_ASSIGN(in, Inputs(c, 1));
  return c.Emit("pad", in, {{"pads", pads}, {"mode", mode}, {"value", value}});
}

absl::Status Softmax(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 1));
  KILN_ASSIGN(axis, c.AttrInt("axis", c.opset() < 13 ? 1 : -1));
  // Before opset 13 the input is coerced to 2-D at `axis`.
  return c.Emit("softmax", in, {{"axis", axis}, {"flatten", int64_t{c.opset() < 13 ? 1 : 0}}});
}

Converter Reduce(std::string op, int axes_input_since) {
  return [op, axes_input_since](ImportContext& c) -> absl::Status {
    KILN_ASSIGN(axes, AxesFromAttrOrInput(c, axes_input_since, 1));
    KILN_ASSIGN(keep, c.AttrInt("keepdims", 1));
    KILN_ASSIGN(noop, c.AttrInt("noop_with_empty_axes", 0));
    if (noop && axes.empty()) {
      KILN_ASSIGN(in, Inputs(c, 1));
      c.Alias(in[0]);
      return absl::OkStatus();
    }
    KILN_ASSIGN(in, Inputs(c, 1));
    return c.Emit(op, in, {{"axes", axes}, {"keepdims", keep}});
  };
}

absl::Status Identity(ImportContext& c) {
  if (c.node().op_type() == "Dropout") {
    KILN_ASSIGN(is_test, c.AttrInt("is_test", 1));
    auto training = c.InputConstant(2);
    const bool train = c.HasInput(2) && (!training || training->NumElements() != 1 ||
                                         training->data<uint8_t>()[0] != 0);
    if (train || (c.opset() < 7 && !is_test)) return c.Unsupported("training-mode dropout");
  }
  for (int k = 1; k < c.node().output_size(); ++k) {
    if (!c.node().output(k).empty()) return c.Unsupported("the dropout mask output");
  }
  KILN_ASSIGN(in, Inputs(c, 1));
  c.Alias(in[0]);
  return absl::OkStatus();
}

absl::Status Constant(ImportContext& c) {
  if (const auto* a = c.Attr("value")) {
    auto data = TensorFromProto(a->t(), c.model_dir());
    if (!data.ok()) {
      if (data.status().code() == absl::StatusCode::kUnimplemented) {
        return c.Unsupported(std::string(data.status().message()));
      }
      return c.Invalid(std::string(data.status().message()));
    }
    c.EmitConstant(*data);
    return absl::OkStatus();
  }
  if (const auto* a = c.Attr("value_float")) {
    KILN_ASSIGN(data, graph::NDArray::Empty({}, runtime::DType::kFloat32));
    data.data<float>()[0] = a->f();
    c.EmitConstant(data);
    return absl::OkStatus();
  }
  if (const auto* a = c.Attr("value_int")) {
    KILN_ASSIGN(data, graph::NDArray::Empty({}, runtime::DType::kInt64));
    data.data<int64_t>()[0] = a->i();
    c.EmitConstant(data);
    return absl::OkStatus();
  }
  if (const auto* a = c.Attr("value_ints")) {
    KILN_ASSIGN(data, graph::NDArray::Empty({a->ints_size()}, runtime::DType::kInt64));
    for (int k = 0; k < a->ints_size(); ++k) data.data<int64_t>()[k] = a->ints(k);
    c.EmitConstant(data);
    return absl::OkStatus();
  }
  return c.Unsupported("this form of Constant");
}

const absl::flat_hash_map<std::string, Converter>& Converters() {
  static const auto* table = new absl::flat_hash_map<std::string, Converter>{
      {"Conv", Conv},
      {"ConvTranspose", ConvTranspose},
      {"Resize", Resize},
      {"BatchNormalization", BatchNorm},
      {"Relu", Unary("relu")},
      {"Sigmoid", Unary("sigmoid")},
      {"Tanh", Unary("tanh")},
      {"Exp", Unary("exp")},
      {"Log", Unary("log")},
      {"Sqrt", Unary("sqrt")},
      {"Neg", Unary("neg")},
      {"Abs", Unary("abs")},
      {"Reciprocal", Unary("reciprocal")},
      {"Floor", Unary("floor")},
      {"Ceil", Unary("ceil")},
      {"Erf", Unary("erf")},
      {"HardSwish", Unary("hard_swish")},
      {"LeakyRelu", WithFloatAttrs("leaky_relu", {{"alpha", 0.01}})},
      {"HardSigmoid", WithFloatAttrs("hard_sigmoid", {{"alpha", 0.2}, {"beta", 0.5}})},
      {"Clip", Clip},
      {"Add", BinaryOp("add")},
      {"Sub", BinaryOp("sub")},
      {"Mul", BinaryOp("mul")},
      {"Div", BinaryOp("div")},
      {"Pow", BinaryOp("pow")},
      {"PRelu", BinaryOp("prelu")},
      {"Equal", BinaryOp("equal")},
      {"Max", Variadic("max")},
      {"Min", Variadic("min")},
      {"MaxPool", Pool("max_pool")},
      {"AveragePool", Pool("avg_pool")},
      {"GlobalAveragePool", GlobalPool("reduce_mean")},
      {"GlobalMaxPool", GlobalPool("reduce_max")},
      {"Gemm", Gemm},
      {"MatMul", BinaryOp("matmul")},
      {"Flatten", Flatten},
      {"Reshape", Reshape},
      {"Squeeze", Squeeze},
      {"Unsqueeze", Unsqueeze},
      {"Transpose", Transpose},
      {"Concat", Concat},
      {"Split", Split},
      {"Slice", Slice},
      {"Gather", Gather},
      {"Cast", Cast},
      {"Shape", Shape},
      {"Pad", Pad},
      {"Softmax", Softmax},
      {"ReduceMean", Reduce("reduce_mean", 18)},
      {"ReduceSum", Reduce("reduce_sum", 13)},
      {"ReduceMax", Reduce("reduce_max", 18)},
      {"ReduceMin", Reduce("reduce_min", 18)},
      {"Identity", Identity},
      {"Dropout", Identity},
      {"Constant", Constant},
  };
  return *table;
}

}  // namespace

const Converter* FindConverter(const std::string& op_type) {
  auto it = Converters().find(op_type);
  return it == Converters().end() ? nullptr : &it->second;
}

}  // namespace kiln::frontend

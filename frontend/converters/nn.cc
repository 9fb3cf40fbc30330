// Convolution and pooling ONNX operators (2-D, NCHW; 1-D through their 2-D
// forms; 3-D convolution and pooling in volumetric.h, dilated max pooling in
// dilated_pool.h) and BatchNormalization.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"
#include "frontend/converters/dilated_pool.h"
#include "frontend/converters/graph_steps.h"
#include "frontend/converters/volumetric.h"

namespace kiln::frontend {
namespace {

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
  for (int d = 0; d < 2; ++d) {
    if (strides[d] < 1 || dilations[d] < 1) {
      return c.Invalid(absl::StrCat("strides [", strides[0], ", ", strides[1], "] and dilations [",
                                    dilations[0], ", ", dilations[1], "] must be positive"));
    }
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

// The node's windowed attributes with a leading unit dimension: strides,
// dilations, kernel 1, pads [0, b, 0, e], output_padding 0, output_shape 1.
void LiftAttributes(onnx::NodeProto& node) {
  for (onnx::AttributeProto& a : *node.mutable_attribute()) {
    const std::string& name = a.name();
    if (name != "strides" && name != "dilations" && name != "kernel_shape" && name != "pads" &&
        name != "output_padding" && name != "output_shape") {
      continue;
    }
    std::vector<int64_t> v(a.ints().begin(), a.ints().end());
    std::vector<int64_t> lifted;
    if (name == "pads" && v.size() == 2) {
      lifted = {0, v[0], 0, v[1]};
    } else if (v.size() == 1) {
      const int64_t unit = name == "pads" || name == "output_padding" ? 0 : 1;
      lifted = {unit, v[0]};
    } else {
      continue;  // malformed: the 2-D converter reports it
    }
    a.clear_ints();
    for (int64_t x : lifted) a.add_ints(x);
  }
}

// A 1-D windowed operator (Conv1d, ConvTranspose1d, 1-D pooling) runs as its
// 2-D form over a height of 1: its data and weight gain a unit height, its
// attributes a leading unit dimension, and its result loses the height.
// Rank-4 inputs go to `convert_2d` unchanged.
Converter WithOneDimensional(Converter convert_2d, int weight_inputs) {
  return [convert_2d, weight_inputs](ImportContext& c) -> absl::Status {
    if (c.num_inputs() < 1 || c.InputType(0).shape.size() != 3) return convert_2d(c);
    const onnx::NodeProto& original = c.node();
    if (original.output_size() > 1 && !original.output(1).empty()) {
      return c.Unsupported("a second output of the 1-D form (MaxPool's indices)");
    }
    onnx::NodeProto lifted = original;
    LiftAttributes(lifted);
    // Data (and weight) reshaped to 4-D under names of their own.
    for (int i = 0; i < 1 + weight_inputs && i < original.input_size(); ++i) {
      KILN_ASSIGN(value, c.Input(i));
      std::vector<int64_t> shape = c.graph().value(value).type.shape;
      if (shape.size() != 3) return c.Invalid(absl::StrCat("input ", i, " is not 3-D"));
      shape.insert(shape.begin() + 2, 1);
      KILN_ASSIGN(reshaped, c.EmitStep("reshape", {value}, {{"shape", shape}}));
      const std::string name = absl::StrCat(original.input(i), "_as_2d_", c.graph().nodes().size());
      c.Bind(name, reshaped);
      lifted.set_input(i, name);
    }
    const std::string output = absl::StrCat(original.output(0), "_as_2d");
    lifted.set_output(0, output);
    c.Begin(&lifted);
    absl::Status converted = convert_2d(c);
    c.Begin(&original);
    if (!converted.ok()) return converted;
    KILN_ASSIGN(result, c.Lookup(output));
    std::vector<int64_t> shape = c.graph().value(result).type.shape;
    shape.erase(shape.begin() + 2);
    return c.Emit("reshape", {result}, {{"shape", shape}});
  };
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

KILN_REGISTER_ONNX_CONVERTER(Conv, 1, kLatestOpset,
                             WithOneDimensional(WithVolumetric(Conv, VolumetricConv), 1));

// A transposed convolution as an ordinary one (for the forms the
// conv_transpose kernel and its rewrite to a convolution do not take:
// groups, dilation, 3-D, run-time weights with a bias or uneven padding):
// zeros inserted between the input's pixels (stride - 1 per gap), the
// result padded by the kernel's dilated extent less the pads, and convolved
// with the kernel flipped and its channel axes swapped per group. Wasteful
// at large strides, it runs on Conv's kernels in every rank Conv takes.
absl::Status ConvTransposeAsConv(ImportContext& c, const std::vector<int>& in,
                                 const std::vector<int64_t>& strides,
                                 const std::vector<int64_t>& dilations,
                                 const std::vector<int64_t>& pads,
                                 const std::vector<int64_t>& output_padding, int64_t group) {
  const std::vector<int64_t> w = c.InputType(1).shape;
  const int64_t spatial = w.size() - 2;
  if (group < 1 || w[0] % group != 0) {
    return c.Invalid(absl::StrCat("group ", group, " does not divide the ", w[0],
                                  " input channels"));
  }
  GraphSteps s(c);
  int x = in[0];
  for (int64_t d = 0; d < spatial; ++d) {
    if (strides[d] == 1) continue;
    std::vector<int64_t> shape = s.Shape(x);
    const int64_t axis = 2 + d, size = shape[axis];
    std::vector<int64_t> split = shape;
    split.insert(split.begin() + axis + 1, 1);
    std::vector<int64_t> gaps(2 * split.size(), 0);
    gaps[split.size() + axis + 1] = strides[d] - 1;
    const int spaced = s.Op("pad", {s.Reshape(x, split)},
                            {{"pads", gaps}, {"mode", std::string("constant")}, {"value", 0.0}});
    shape[axis] = size * strides[d];
    x = s.Slice(s.Reshape(spaced, shape), axis, 0, (size - 1) * strides[d] + 1);
  }
  // Padding by the dilated kernel's extent less the pads; a pad larger
  // than the extent crops instead.
  std::vector<int64_t> begins(spatial), ends(spatial);
  std::vector<int64_t> grow(2 * (spatial + 2), 0);
  bool crop = false;
  for (int64_t d = 0; d < spatial; ++d) {
    const int64_t extent = dilations[d] * (w[2 + d] - 1);
    begins[d] = extent - pads[d];
    ends[d] = extent - pads[spatial + d] + output_padding[d];
    grow[2 + d] = std::max<int64_t>(0, begins[d]);
    grow[spatial + 2 + 2 + d] = std::max<int64_t>(0, ends[d]);
    crop = crop || begins[d] < 0 || ends[d] < 0;
  }
  x = s.Op("pad", {x}, {{"pads", grow}, {"mode", std::string("constant")}, {"value", 0.0}});
  for (int64_t d = 0; crop && d < spatial; ++d) {
    const int64_t size = s.Shape(x)[2 + d];
    x = s.Slice(x, 2 + d, std::max<int64_t>(0, -begins[d]), size - std::max<int64_t>(0, -ends[d]));
  }
  // [C_in, C_out/g, k...] -> [C_out, C_in/g, k...], each spatial axis reversed.
  std::vector<int64_t> grouped = {group, w[0] / group, w[1]};
  grouped.insert(grouped.end(), w.begin() + 2, w.end());
  std::vector<int64_t> perm = {0, 2, 1};
  for (int64_t d = 0; d < spatial; ++d) perm.push_back(3 + d);
  std::vector<int64_t> swapped = {w[1] * group, w[0] / group};
  swapped.insert(swapped.end(), w.begin() + 2, w.end());
  int kernel = s.Reshape(s.Op("transpose", {s.Reshape(in[1], grouped)}, {{"perm", perm}}),
                         swapped);
  for (int64_t d = 0; d < spatial; ++d) {
    std::vector<int64_t> reversed(w[2 + d]);
    for (int64_t i = 0; i < w[2 + d]; ++i) reversed[i] = w[2 + d] - 1 - i;
    kernel = s.Op("gather", {kernel, s.Int64Constant({w[2 + d]}, reversed)},
                  {{"axis", int64_t{2 + d}}});
  }
  if (!s.status().ok()) return s.status();
  onnx::NodeProto conv;
  conv.set_op_type("Conv");
  auto ints = [&](const char* name, const std::vector<int64_t>& v) {
    onnx::AttributeProto* a = conv.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t e : v) a->add_ints(e);
  };
  ints("dilations", dilations);
  ints("strides", std::vector<int64_t>(spatial, 1));
  ints("pads", std::vector<int64_t>(2 * spatial, 0));
  onnx::AttributeProto* g = conv.add_attribute();
  g->set_name("group");
  g->set_type(onnx::AttributeProto::INT);
  g->set_i(group);
  std::vector<int> operands = {x, kernel};
  if (in.size() > 2) operands.push_back(in[2]);
  KILN_ASSIGN(y, ConvertAs(c, conv, operands));
  c.Alias(y);
  return absl::OkStatus();
}

absl::Status ConvTranspose(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, std::min(c.num_inputs(), 3)));
  const auto& x = c.InputType(0).shape;
  const auto& w = c.InputType(1).shape;
  if ((x.size() != 4 && x.size() != 5) || w.size() != x.size()) {
    return c.Unsupported(absl::StrCat(x.size() - 2, "-D transposed convolution"));
  }
  const size_t spatial = x.size() - 2;
  const std::vector<int64_t> ones(spatial, 1), zeros(spatial, 0);
  KILN_ASSIGN(strides, c.AttrInts("strides", ones));
  KILN_ASSIGN(dilations, c.AttrInts("dilations", ones));
  KILN_ASSIGN(output_padding, c.AttrInts("output_padding", zeros));
  KILN_ASSIGN(group, c.AttrInt("group", 1));
  if (strides.size() != spatial || dilations.size() != spatial ||
      output_padding.size() != spatial) {
    return c.Invalid(absl::StrCat("strides, dilations and output_padding need ", spatial,
                                  " values"));
  }
  for (size_t d = 0; d < spatial; ++d) {
    // Bounded so that sizes computed from them cannot overflow.
    constexpr int64_t kLargest = int64_t{1} << 24;
    if (strides[d] < 1 || dilations[d] < 1 || output_padding[d] < 0 || strides[d] > kLargest ||
        dilations[d] > kLargest || output_padding[d] > kLargest) {
      return c.Invalid(absl::StrCat(
          "strides and dilations must be 1 to ", kLargest, ", output_padding 0 to ", kLargest));
    }
  }
  KILN_ASSIGN(auto_pad, c.AttrString("auto_pad", "NOTSET"));
  KILN_ASSIGN(output_shape, c.AttrInts("output_shape", std::vector<int64_t>{}));
  std::vector<int64_t> pads(2 * spatial, 0);
  // The size without padding, from which explicit output shapes and SAME
  // padding take their pads.
  const auto full = [&](size_t d) {
    return (x[2 + d] - 1) * strides[d] + dilations[d] * (w[2 + d] - 1) + 1 + output_padding[d];
  };
  if (!output_shape.empty() || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    if (!output_shape.empty() && output_shape.size() != spatial) {
      return c.Invalid(absl::StrCat("output_shape has ", output_shape.size(), " values; expected ",
                                    spatial));
    }
    for (size_t d = 0; d < spatial; ++d) {
      const int64_t out = output_shape.empty() ? x[2 + d] * strides[d] : output_shape[d];
      const int64_t total = full(d) - out;
      if (total < 0) {
        // An output larger than the full transposed convolution: rows past
        // it receive no taps, as output_padding's do.
        output_padding[d] -= total;
        continue;
      }
      // ONNX: SAME_UPPER (and explicit output shapes) put the extra pad at the end.
      const bool lower = auto_pad == "SAME_LOWER";
      pads[d] = lower ? total - total / 2 : total / 2;
      pads[spatial + d] = total - pads[d];
    }
  } else if (auto_pad == "NOTSET") {
    KILN_ASSIGN(explicit_pads, c.AttrInts("pads", std::vector<int64_t>(2 * spatial, 0)));
    if (explicit_pads.size() != 2 * spatial) {
      return c.Invalid(absl::StrCat("pads must have ", 2 * spatial, " values"));
    }
    pads = explicit_pads;
  } else if (auto_pad != "VALID") {
    return c.Unsupported(absl::StrCat("auto_pad '", auto_pad, "'"));
  }
  // What the conv_transpose kernel, or the pass rewriting it as a
  // convolution (constant weights only), takes; the rest converts as a Conv.
  bool even = true;
  for (size_t d = 0; d < spatial; ++d) even = even && pads[d] == pads[spatial + d];
  const bool constant_weights = c.InputConstant(1).has_value();
  const bool kernel_form = spatial == 2 && group == 1 && dilations == ones &&
                           (constant_weights || (even && in.size() < 3));
  if (!kernel_form) {
    return ConvTransposeAsConv(c, in, strides, dilations, pads, output_padding, group);
  }
  return c.Emit("conv_transpose", in,
                {{"strides", strides}, {"dilations", dilations}, {"pads", pads},
                 {"output_padding", output_padding}, {"group", group}});
}

KILN_REGISTER_ONNX_CONVERTER(ConvTranspose, 1, kLatestOpset,
                             WithOneDimensional(ConvTranspose, 1));

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
    GraphSteps::Attrs attrs = {{"kernel_shape", kernel}, {"strides", strides}, {"pads", pads},
                               {"ceil_mode", ceil_mode}, {"count_include_pad", include_pad}};
    // 8-bit integers (MaxPool takes them from opset 12) pool exactly as
    // float32, which the pooling kernels compute in.
    const runtime::DType type = c.InputType(0).dtype;
    if (op == "max_pool" && (type == runtime::DType::kUInt8 || type == runtime::DType::kInt8)) {
      GraphSteps s(c);
      return s.Bind(s.Cast(s.Op(op, {s.Cast(in[0], runtime::DType::kFloat32)}, attrs), type));
    }
    return c.Emit(op, in, std::move(attrs));
  };
}

KILN_REGISTER_ONNX_CONVERTER(
    MaxPool, 1, kLatestOpset,
    WithOneDimensional(
        WithVolumetric(WithTapMaxPool(Pool("max_pool")), VolumetricPool("max_pool")), 0));
KILN_REGISTER_ONNX_CONVERTER(
    AveragePool, 1, kLatestOpset,
    WithOneDimensional(WithVolumetric(Pool("avg_pool"), VolumetricPool("avg_pool")), 0));

Converter GlobalPool(std::string op) {
  return [op](ImportContext& c) -> absl::Status {
    KILN_ASSIGN(in, Inputs(c, 1));
    std::vector<int64_t> axes;
    for (size_t d = 2; d < c.InputType(0).shape.size(); ++d) axes.push_back(d);
    return c.Emit(op, in, {{"axes", axes}, {"keepdims", int64_t{1}}});
  };
}

KILN_REGISTER_ONNX_CONVERTER(GlobalAveragePool, 1, kLatestOpset, GlobalPool("reduce_mean"));
KILN_REGISTER_ONNX_CONVERTER(GlobalMaxPool, 1, kLatestOpset, GlobalPool("reduce_max"));

absl::Status BatchNorm(ImportContext& c) {
  for (int k = 1; k < c.node().output_size(); ++k) {
    if (!c.node().output(k).empty()) return c.Unsupported("running statistics outputs");
  }
  KILN_ASSIGN(in, Inputs(c, 5));
  KILN_ASSIGN(eps, c.AttrFloat("epsilon", 1e-5));
  return c.Emit("batch_norm", in, {{"epsilon", eps}});
}

// Until opset 9, spatial=0 normalized each activation with statistics of
// shape [C, H, W] rather than [C].
absl::Status BatchNormWithSpatial(ImportContext& c) {
  KILN_ASSIGN(spatial, c.AttrInt("spatial", 1));
  if (spatial == 0) return c.Unsupported("per-activation batch normalization (spatial=0)");
  return BatchNorm(c);
}

// Until opset 7, is_test=0 normalizes with the batch's own statistics.
absl::Status BatchNormWithIsTest(ImportContext& c) {
  if (auto st = RequireIsTest(c, "batch normalization"); !st.ok()) return st;
  return BatchNormWithSpatial(c);
}

// training_mode=1 normalizes with the batch's own mean and (population)
// variance over every axis but the channels, and updates the running
// statistics: running = batch * (1 - momentum) + given * momentum.
absl::Status BatchNormInTraining(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 5));
  KILN_ASSIGN(eps, c.AttrFloat("epsilon", 1e-5));
  KILN_ASSIGN(momentum, c.AttrFloat("momentum", 0.9));
  const std::vector<int64_t>& shape = c.InputType(0).shape;
  if (shape.size() < 2) {
    return c.Invalid(absl::StrCat("input of rank ", shape.size(), "; expected N, C, ..."));
  }
  if (c.InputType(0).dtype != runtime::DType::kFloat32) {
    return c.Unsupported(absl::StrCat(runtime::DTypeName(c.InputType(0).dtype), " input"));
  }
  const int64_t channels = shape[1];
  for (int k = 1; k < 5; ++k) {
    if (c.InputType(k).shape != std::vector<int64_t>{channels}) {
      return c.Invalid(absl::StrCat("input ", k, " of shape ",
                                    runtime::ShapeToString(c.InputType(k).shape), "; expected [",
                                    channels, "]"));
    }
  }
  std::vector<int64_t> axes = {0}, per_channel(shape.size(), 1);
  for (int64_t d = 2; d < static_cast<int64_t>(shape.size()); ++d) axes.push_back(d);
  per_channel[1] = channels;
  GraphSteps s(c);
  const GraphSteps::Attrs reduce = {{"axes", axes}, {"keepdims", int64_t{1}}};
  const int mean = s.Op("reduce_mean", {in[0]}, reduce);
  const int centered = s.Op("sub", {in[0], mean});
  const int variance = s.Op("reduce_mean", {s.Op("mul", {centered, centered})}, reduce);
  const int deviation = s.Op("sqrt", {s.Op("add", {variance, s.Scalar(static_cast<float>(eps))})});
  const int normalized = s.Op("div", {centered, deviation});
  const int y = s.Op("add", {s.Op("mul", {normalized, s.Reshape(in[1], per_channel)}),
                             s.Reshape(in[2], per_channel)});
  if (absl::Status st = s.Bind(y); !st.ok()) return st;
  const int keep = s.Scalar(static_cast<float>(momentum));
  const int take = s.Scalar(static_cast<float>(1 - momentum));
  auto running = [&](int batch, int given) {
    return s.Op("add", {s.Op("mul", {s.Reshape(batch, {channels}), take}),
                        s.Op("mul", {given, keep})});
  };
  for (int k : {1, 2}) {
    if (k >= c.node().output_size() || c.node().output(k).empty()) continue;
    if (absl::Status st = s.Bind(running(k == 1 ? mean : variance, in[2 + k]), k); !st.ok()) {
      return st;
    }
  }
  return absl::OkStatus();
}

absl::Status BatchNormWithTrainingMode(ImportContext& c) {
  KILN_ASSIGN(training, c.AttrInt("training_mode", 0));
  if (training != 0) return BatchNormInTraining(c);
  return BatchNorm(c);
}

absl::Status InstanceNorm(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 3));
  KILN_ASSIGN(eps, c.AttrFloat("epsilon", 1e-5));
  return c.Emit("instance_norm", in, {{"epsilon", eps}});
}

// Mean and InvStdDev, the statistics a training graph keeps, are computed
// only when the model uses them.
absl::Status LayerNorm(ImportContext& c) {
  KILN_ASSIGN(stash_type, c.AttrInt("stash_type", 1));
  if (stash_type != 1) {
    return c.Unsupported(absl::StrCat("stash_type ", stash_type, " (only float32, 1)"));
  }
  KILN_ASSIGN(in, Inputs(c, std::min(c.num_inputs(), 3)));
  KILN_ASSIGN(axis, c.AttrInt("axis", -1));
  KILN_ASSIGN(eps, c.AttrFloat("epsilon", 1e-5));
  bool stats = false;
  for (int k = 1; k < c.node().output_size(); ++k) stats |= !c.node().output(k).empty();
  return c.Emit("layer_norm", in,
                {{"axis", axis}, {"epsilon", eps}, {"stats", int64_t{stats ? 1 : 0}}},
                stats ? 3 : 1);
}

KILN_REGISTER_ONNX_CONVERTER(InstanceNormalization, 1, 5, InstanceNorm);
KILN_REGISTER_ONNX_CONVERTER(InstanceNormalization, 6, kLatestOpset, InstanceNorm);
KILN_REGISTER_ONNX_CONVERTER(LayerNormalization, 17, kLatestOpset, LayerNorm);

KILN_REGISTER_ONNX_CONVERTER(BatchNormalization, 1, 6, BatchNormWithIsTest);
KILN_REGISTER_ONNX_CONVERTER(BatchNormalization, 7, 8, BatchNormWithSpatial);
KILN_REGISTER_ONNX_CONVERTER(BatchNormalization, 9, 13, BatchNorm);
KILN_REGISTER_ONNX_CONVERTER(BatchNormalization, 14, kLatestOpset, BatchNormWithTrainingMode);

}  // namespace
}  // namespace kiln::frontend

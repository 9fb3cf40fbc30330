// Neural-network operators: convolution, normalization, pooling, matrix
// products, softmax and reductions. 2-D spatial operators take NCHW tensors;
// other ranks are reported as unimplemented.
#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "ir/graph/attrs_nn.h"
#include "ir/graph/attrs_reduce.h"
#include "ir/graph/op_registry.h"
#include "ir/graph/ops_common.h"

namespace kiln::graph::ops {
namespace {

using Types = std::vector<const TensorType*>;
using Result = absl::StatusOr<std::vector<TensorType>>;
using Outputs = absl::StatusOr<std::vector<NDArray>>;

absl::Status Expect4d(const TensorType& t, const char* what) {
  if (t.dtype != DType::kFloat32) {
    return absl::UnimplementedError(absl::StrCat(what, " of type ", runtime::DTypeName(t.dtype),
                                                 "; only float32 is supported"));
  }
  if (t.shape.size() != 4) {
    return absl::UnimplementedError(absl::StrCat(what, " of rank ", t.shape.size(),
                                                 "; only 2-D (NCHW) is supported"));
  }
  return absl::OkStatus();
}

// ---- conv ----
OpDef Conv() {
  OpDef def;
  def.pattern = OpPattern::kOutEWiseFusable;
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectInputs(in, 2, 3); !st.ok()) return st;
    if (auto st = Expect4d(*in[0], "conv input"); !st.ok()) return st;
    if (auto st = Expect4d(*in[1], "conv weight"); !st.ok()) return st;
    auto attrs = Conv2dAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    const int64_t group = attrs->group;
    const auto& x = in[0]->shape;
    const auto& w = in[1]->shape;
    if (x[1] % group != 0 || w[0] % group != 0 || w[1] * group != x[1]) {
      return absl::InvalidArgumentError(absl::StrCat("input channels ", x[1], ", weight ",
                                                     runtime::ShapeToString(w), " and group ",
                                                     group, " do not agree"));
    }
    const int64_t oh = attrs->OutHeight(x[2], w[2]);
    const int64_t ow = attrs->OutWidth(x[3], w[3]);
    if (oh < 1 || ow < 1) return absl::InvalidArgumentError("the output would be empty");
    if (in.size() > 2 && in[2] && in[2]->shape != std::vector<int64_t>{w[0]}) {
      return absl::InvalidArgumentError("the bias must have one value per output channel");
    }
    return std::vector<TensorType>{{in[0]->dtype, {x[0], w[0], oh, ow}}};
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    const auto& x = in[0].shape();
    const auto& w = in[1].shape();
    auto attrs = Conv2dAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    const int64_t group = attrs->group;
    const int64_t oh = attrs->OutHeight(x[2], w[2]);
    const int64_t ow = attrs->OutWidth(x[3], w[3]);
    auto out = Allocate({DType::kFloat32, {x[0], w[0], oh, ow}});
    if (!out.ok()) return out.status();
    const float* xd = in[0].data<float>();
    const float* wd = in[1].data<float>();
    const bool bias = in.size() > 2 && in[2].defined();
    const int64_t icg = w[1], ocg = w[0] / group;
    float* o = out->data<float>();
    for (int64_t b = 0; b < x[0]; ++b)
      for (int64_t oc = 0; oc < w[0]; ++oc) {
        const int64_t g = oc / ocg;
        float* plane = o + (b * w[0] + oc) * oh * ow;
        std::fill(plane, plane + oh * ow, bias ? in[2].data<float>()[oc] : 0.0f);
        for (int64_t c = 0; c < icg; ++c)
          for (int64_t ky = 0; ky < w[2]; ++ky)
            for (int64_t kx = 0; kx < w[3]; ++kx) {
              const float wv = wd[((oc * icg + c) * w[2] + ky) * w[3] + kx];
              const float* xp = xd + (b * x[1] + g * icg + c) * x[2] * x[3];
              for (int64_t y = 0; y < oh; ++y) {
                const int64_t iy = y * attrs->strides[0] + ky * attrs->dilations[0] - attrs->pads[0];
                if (iy < 0 || iy >= x[2]) continue;
                for (int64_t z = 0; z < ow; ++z) {
                  const int64_t ix =
                      z * attrs->strides[1] + kx * attrs->dilations[1] - attrs->pads[1];
                  if (ix < 0 || ix >= x[3]) continue;
                  plane[y * ow + z] += wv * xp[iy * x[3] + ix];
                }
              }
            }
      }
    return std::vector<NDArray>{*out};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "conv", "2-D convolution, NCHW x OIHW", Conv());

// ---- batch_norm (inference) ----
OpDef BatchNorm() {
  OpDef def;
  def.pattern = OpPattern::kBroadcast;
  def.infer = [](const Node&, const Types& in) -> Result {
    if (auto st = ExpectFloat32(in); !st.ok()) return st;
    if (auto st = ExpectInputs(in, 5, 5); !st.ok()) return st;
    if (in[0]->shape.size() < 2) return absl::InvalidArgumentError("needs a channel axis");
    for (int k = 1; k < 5; ++k) {
      if (in[k]->shape != std::vector<int64_t>{in[0]->shape[1]}) {
        return absl::InvalidArgumentError("scale, bias, mean and var need one value per channel");
      }
    }
    return std::vector<TensorType>{*in[0]};
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    auto attrs = BatchNormAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    const double eps = attrs->epsilon;
    auto out = Allocate({DType::kFloat32, in[0].shape()});
    if (!out.ok()) return out.status();
    const int64_t c = in[0].shape()[1];
    int64_t inner = 1;
    for (size_t d = 2; d < in[0].shape().size(); ++d) inner *= in[0].shape()[d];
    for (int64_t i = 0; i < in[0].NumElements(); ++i) {
      const int64_t ch = (i / inner) % c;
      const double scale = in[1].data<float>()[ch] / std::sqrt(in[4].data<float>()[ch] + eps);
      out->data<float>()[i] = static_cast<float>(
          (in[0].data<float>()[i] - in[3].data<float>()[ch]) * scale + in[2].data<float>()[ch]);
    }
    return std::vector<NDArray>{*out};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "batch_norm", "inference batch normalization", BatchNorm());

// ---- layer_norm: over the axes from `axis` on, scale and bias broadcast to
// them; optionally also each row's mean and 1 / sqrt(variance + epsilon) ----
OpDef LayerNorm() {
  OpDef def;
  def.pattern = OpPattern::kOpaque;
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectFloat32(in); !st.ok()) return st;
    if (auto st = ExpectInputs(in, 2, 3); !st.ok()) return st;
    auto attrs = LayerNormAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    const auto& x = in[0]->shape;
    auto axis = attrs->Axis(x.size());
    if (!axis.ok()) return axis.status();
    const std::vector<int64_t> normalized(x.begin() + *axis, x.end());
    for (size_t k = 1; k < in.size(); ++k) {
      if (!in[k]) continue;
      auto b = Broadcast(in[k]->shape, normalized);
      if (!b.ok() || *b != normalized) {
        return absl::InvalidArgumentError(absl::StrCat(
            k == 1 ? "scale" : "bias", " of shape ", runtime::ShapeToString(in[k]->shape),
            " does not broadcast to the normalized shape ", runtime::ShapeToString(normalized)));
      }
    }
    std::vector<TensorType> out = {*in[0]};
    if (attrs->stats) {
      TensorType stat{in[0]->dtype, x};
      for (size_t d = *axis; d < x.size(); ++d) stat.shape[d] = 1;
      out.push_back(stat);
      out.push_back(stat);
    }
    return out;
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    auto attrs = LayerNormAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    const auto& x = in[0].shape();
    const int64_t axis = *attrs->Axis(x.size());
    const std::vector<int64_t> normalized(x.begin() + axis, x.end());
    const int64_t cols = NumElements(normalized), rows = in[0].NumElements() / cols;
    const bool bias = in.size() > 2 && in[2].defined();
    auto out = Allocate({DType::kFloat32, x});
    if (!out.ok()) return out.status();
    std::vector<int64_t> stat_shape = x;
    for (size_t d = axis; d < x.size(); ++d) stat_shape[d] = 1;
    auto mean_out = Allocate({DType::kFloat32, stat_shape});
    auto inv_out = Allocate({DType::kFloat32, stat_shape});
    if (!mean_out.ok()) return mean_out.status();
    if (!inv_out.ok()) return inv_out.status();
    const float* xd = in[0].data<float>();
    std::vector<int64_t> index(normalized.size(), 0);
    for (int64_t r = 0; r < rows; ++r) {
      double mean = 0, var = 0;
      for (int64_t c = 0; c < cols; ++c) mean += xd[r * cols + c];
      mean /= cols;
      for (int64_t c = 0; c < cols; ++c) var += (xd[r * cols + c] - mean) * (xd[r * cols + c] - mean);
      const double inv = 1.0 / std::sqrt(var / cols + attrs->epsilon);
      mean_out->data<float>()[r] = static_cast<float>(mean);
      inv_out->data<float>()[r] = static_cast<float>(inv);
      std::fill(index.begin(), index.end(), 0);
      for (int64_t c = 0; c < cols; ++c) {
        double v = (xd[r * cols + c] - mean) * inv;
        v *= in[1].data<float>()[BroadcastIndex(index, in[1].shape())];
        if (bias) v += in[2].data<float>()[BroadcastIndex(index, in[2].shape())];
        out->data<float>()[r * cols + c] = static_cast<float>(v);
        NextIndex(index, normalized);
      }
    }
    if (!attrs->stats) return std::vector<NDArray>{*out};
    return std::vector<NDArray>{*out, *mean_out, *inv_out};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "layer_norm", "normalization over the axes from axis on",
              LayerNorm());

// ---- instance_norm: each (image, channel) normalized over its spatial
// axes, then scaled and shifted per channel ----
OpDef InstanceNorm() {
  OpDef def;
  def.pattern = OpPattern::kOpaque;
  def.infer = [](const Node&, const Types& in) -> Result {
    if (auto st = ExpectFloat32(in); !st.ok()) return st;
    if (auto st = ExpectInputs(in, 3, 3); !st.ok()) return st;
    if (in[0]->shape.size() < 3) {
      return absl::InvalidArgumentError("needs a batch, a channel and a spatial axis");
    }
    for (int k = 1; k < 3; ++k) {
      if (in[k]->shape != std::vector<int64_t>{in[0]->shape[1]}) {
        return absl::InvalidArgumentError("scale and bias need one value per channel");
      }
    }
    return std::vector<TensorType>{*in[0]};
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    auto attrs = BatchNormAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    const auto& x = in[0].shape();
    const int64_t channels = x[1];
    int64_t spatial = 1;
    for (size_t d = 2; d < x.size(); ++d) spatial *= x[d];
    const int64_t planes = in[0].NumElements() / spatial;
    auto out = Allocate({DType::kFloat32, x});
    if (!out.ok()) return out.status();
    const float* xd = in[0].data<float>();
    for (int64_t p = 0; p < planes; ++p) {
      const float* plane = xd + p * spatial;
      double mean = 0, var = 0;
      for (int64_t i = 0; i < spatial; ++i) mean += plane[i];
      mean /= spatial;
      for (int64_t i = 0; i < spatial; ++i) var += (plane[i] - mean) * (plane[i] - mean);
      const double inv = 1.0 / std::sqrt(var / spatial + attrs->epsilon);
      const double scale = in[1].data<float>()[p % channels] * inv;
      const double shift = in[2].data<float>()[p % channels];
      for (int64_t i = 0; i < spatial; ++i) {
        out->data<float>()[p * spatial + i] = static_cast<float>((plane[i] - mean) * scale + shift);
      }
    }
    return std::vector<NDArray>{*out};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "instance_norm", "per-image, per-channel normalization",
              InstanceNorm());

// ---- pooling ----
OpDef Pool(bool is_max) {
  OpDef def;
  def.pattern = OpPattern::kOutEWiseFusable;
  def.channelwise = true;
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectInputs(in, 1, 1); !st.ok()) return st;
    // 4-D NCHW, or 5-D NCHW[x]c: the windows slide over axes 2 and 3 either way.
    if (in[0]->shape.size() != 5) {
      if (auto st = Expect4d(*in[0], "pooling input"); !st.ok()) return st;
    }
    auto attrs = Pool2dAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    const auto& x = in[0]->shape;
    const int64_t oh = attrs->OutHeight(x[2]);
    const int64_t ow = attrs->OutWidth(x[3]);
    if (oh < 1 || ow < 1) return absl::InvalidArgumentError("the output would be empty");
    std::vector<int64_t> out = x;
    out[2] = oh;
    out[3] = ow;
    return std::vector<TensorType>{{in[0]->dtype, out}};
  };
  def.evaluate = [is_max](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    auto attrs = Pool2dAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    const Pool2dAttrs& a = *attrs;
    const bool include_pad = a.count_include_pad;
    const auto& x = in[0].shape();
    const int64_t oh = a.OutHeight(x[2]);
    const int64_t ow = a.OutWidth(x[3]);
    const int64_t block = x.size() == 5 ? x[4] : 1;
    std::vector<int64_t> out_shape = x;
    out_shape[2] = oh;
    out_shape[3] = ow;
    auto out = Allocate({DType::kFloat32, out_shape});
    if (!out.ok()) return out.status();
    for (int64_t p = 0; p < x[0] * x[1]; ++p)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t z = 0; z < ow; ++z)
          for (int64_t j = 0; j < block; ++j) {
          double best = -std::numeric_limits<double>::infinity(), sum = 0;
          int64_t count = 0;
          for (int64_t ky = 0; ky < a.kernel[0]; ++ky)
            for (int64_t kx = 0; kx < a.kernel[1]; ++kx) {
              const int64_t iy = y * a.strides[0] + ky * a.dilations[0] - a.pads[0];
              const int64_t ix = z * a.strides[1] + kx * a.dilations[1] - a.pads[1];
              const bool in_padded = iy < x[2] + a.pads[2] && ix < x[3] + a.pads[3];
              if (include_pad && in_padded) ++count;
              if (iy < 0 || iy >= x[2] || ix < 0 || ix >= x[3]) continue;
              if (!include_pad) ++count;
              const double v = in[0].data<float>()[((p * x[2] + iy) * x[3] + ix) * block + j];
              best = std::max(best, v);
              sum += v;
            }
          out->data<float>()[((p * oh + y) * ow + z) * block + j] =
              static_cast<float>(is_max ? best : (count ? sum / count : 0.0));
        }
    return std::vector<NDArray>{*out};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "max_pool", "2-D max pooling", Pool(true));
KILN_REGISTER(OpRegistry(), "avg_pool", "2-D average pooling", Pool(false));

// ---- reductions (also global pooling) ----
enum class Reduction { kSum, kMean, kMax, kMin, kProd, kL1, kL2, kSumSquare, kLogSum, kLogSumExp };

// Each reduction accumulates map(x) with `combine` from `init`, then applies
// finish(total). LogSumExp maps exp(x - shift), shift the (finite-clamped)
// maximum of the reduced elements, so that large inputs do not overflow.
struct Reducer {
  double init = 0.0;
  double (*map)(double x, double shift) = [](double x, double) { return x; };
  double (*combine)(double acc, double v) = [](double acc, double v) { return acc + v; };
  double (*finish)(double total, double shift, int64_t count) = [](double t, double, int64_t) {
    return t;
  };
  bool shifted = false;
};

Reducer ReducerFor(Reduction kind) {
  Reducer r;
  auto square = [](double x, double) { return x * x; };
  switch (kind) {
    case Reduction::kSum:
      break;
    case Reduction::kMean:
      r.finish = [](double t, double, int64_t count) { return t / count; };
      break;
    case Reduction::kMax:
      r.init = -std::numeric_limits<double>::infinity();
      r.combine = [](double acc, double v) { return std::max(acc, v); };
      break;
    case Reduction::kMin:
      r.init = std::numeric_limits<double>::infinity();
      r.combine = [](double acc, double v) { return std::min(acc, v); };
      break;
    case Reduction::kProd:
      r.init = 1.0;
      r.combine = [](double acc, double v) { return acc * v; };
      break;
    case Reduction::kL1:
      r.map = [](double x, double) { return std::abs(x); };
      break;
    case Reduction::kL2:
      r.map = square;
      r.finish = [](double t, double, int64_t) { return std::sqrt(t); };
      break;
    case Reduction::kSumSquare:
      r.map = square;
      break;
    case Reduction::kLogSum:
      r.finish = [](double t, double, int64_t) { return std::log(t); };
      break;
    case Reduction::kLogSumExp:
      r.shifted = true;
      r.map = [](double x, double m) { return std::exp(x - m); };
      r.finish = [](double t, double m, int64_t) { return m + std::log(t); };
      break;
  }
  return r;
}

// Sums, products, extremes and the sums of |x| and x^2 of integers,
// exactly: they wrap at 64 bits and then at the type's width, as integer
// arithmetic does (in doubles, large ones would round).
Outputs ReduceIntegers(Reduction kind, const NDArray& x, const std::vector<int64_t>& kept_shape,
                       const TensorType& t) {
  const bool is_unsigned = runtime::IsUnsignedDType(t.dtype);
  auto less = [is_unsigned](int64_t a, int64_t b) {
    return is_unsigned ? static_cast<uint64_t>(a) < static_cast<uint64_t>(b) : a < b;
  };
  std::vector<uint64_t> acc(NumElements(kept_shape), kind == Reduction::kProd ? 1 : 0);
  std::vector<bool> seen(acc.size(), false);
  ForEachIndex(x.shape(), [&](int64_t i, const std::vector<int64_t>& index) {
    const int64_t o = BroadcastIndex(index, kept_shape);
    int64_t v = LoadInteger(x, i);
    switch (kind) {
      case Reduction::kProd: acc[o] *= static_cast<uint64_t>(v); return;
      case Reduction::kMax:
      case Reduction::kMin:
        if (!seen[o] || (kind == Reduction::kMax ? less(static_cast<int64_t>(acc[o]), v)
                                                  : less(v, static_cast<int64_t>(acc[o])))) {
          acc[o] = static_cast<uint64_t>(v);
        }
        seen[o] = true;
        return;
      case Reduction::kL1:
        if (!is_unsigned && v < 0) v = static_cast<int64_t>(0 - static_cast<uint64_t>(v));
        acc[o] += static_cast<uint64_t>(v);
        return;
      case Reduction::kSumSquare:
        acc[o] += static_cast<uint64_t>(v) * static_cast<uint64_t>(v);
        return;
      default: acc[o] += static_cast<uint64_t>(v); return;
    }
  });
  auto out = Allocate(t);
  if (!out.ok()) return out.status();
  for (size_t k = 0; k < acc.size(); ++k) StoreInteger(*out, k, static_cast<int64_t>(acc[k]));
  return std::vector<NDArray>{*out};
}

OpDef Reduce(Reduction kind) {
  OpDef def;
  def.pattern = OpPattern::kReduction;
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectInputs(in, 1, 1); !st.ok()) return st;
    auto attrs = ReduceAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    auto reduced = attrs->Reduced(in[0]->shape.size());
    if (!reduced.ok()) return reduced.status();
    const bool keep = attrs->keepdims;
    std::vector<int64_t> shape;
    for (size_t d = 0; d < reduced->size(); ++d) {
      if (!(*reduced)[d]) shape.push_back(in[0]->shape[d]);
      else if (keep) shape.push_back(1);
    }
    return std::vector<TensorType>{{in[0]->dtype, shape}};
  };
  def.evaluate = [kind](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    const auto& shape = in[0].shape();
    auto attrs = ReduceAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    auto reduced = attrs->Reduced(shape.size());
    if (!reduced.ok()) return reduced.status();
    std::vector<int64_t> kept_shape;
    int64_t count = 1;
    for (size_t d = 0; d < shape.size(); ++d) {
      if ((*reduced)[d]) {
        count *= shape[d];
        kept_shape.push_back(1);
      } else {
        kept_shape.push_back(shape[d]);
      }
    }
    TensorType t{in[0].dtype(), {}};
    const bool keep = attrs->keepdims;
    for (size_t d = 0; d < shape.size(); ++d) {
      if (!(*reduced)[d] || keep) t.shape.push_back(kept_shape[d]);
    }
    if (runtime::IsIntegerDType(t.dtype) && kind != Reduction::kMean &&
        kind != Reduction::kL2 && kind != Reduction::kLogSum && kind != Reduction::kLogSumExp) {
      return ReduceIntegers(kind, in[0], kept_shape, t);
    }
    const Reducer r = ReducerFor(kind);
    const size_t outputs = NumElements(kept_shape);
    std::vector<double> shift(outputs, 0.0);
    if (r.shifted) {
      std::fill(shift.begin(), shift.end(), -std::numeric_limits<double>::infinity());
      ForEachIndex(shape, [&](int64_t i, const std::vector<int64_t>& index) {
        double& m = shift[BroadcastIndex(index, kept_shape)];
        m = std::max(m, Load(in[0], i));
      });
      // An infinite maximum would make x - shift NaN; a finite shift keeps
      // exp(x - shift) at 0 or infinity, as exp(x) would be.
      for (double& m : shift) {
        m = std::clamp(m, std::numeric_limits<double>::lowest(),
                       std::numeric_limits<double>::max());
      }
    }
    std::vector<double> acc(outputs, r.init);
    ForEachIndex(shape, [&](int64_t i, const std::vector<int64_t>& index) {
      const int64_t o = BroadcastIndex(index, kept_shape);
      acc[o] = r.combine(acc[o], r.map(Load(in[0], i), shift[o]));
    });
    auto out = Allocate(t);
    if (!out.ok()) return out.status();
    for (size_t k = 0; k < acc.size(); ++k) Store(*out, k, r.finish(acc[k], shift[k], count));
    return std::vector<NDArray>{*out};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "reduce_sum", "sum over axes", Reduce(Reduction::kSum));
KILN_REGISTER(OpRegistry(), "reduce_mean", "mean over axes", Reduce(Reduction::kMean));
KILN_REGISTER(OpRegistry(), "reduce_max", "max over axes", Reduce(Reduction::kMax));
KILN_REGISTER(OpRegistry(), "reduce_min", "min over axes", Reduce(Reduction::kMin));
KILN_REGISTER(OpRegistry(), "reduce_prod", "product over axes", Reduce(Reduction::kProd));
KILN_REGISTER(OpRegistry(), "reduce_l1", "sum of |x| over axes", Reduce(Reduction::kL1));
KILN_REGISTER(OpRegistry(), "reduce_l2", "Euclidean norm over axes", Reduce(Reduction::kL2));
KILN_REGISTER(OpRegistry(), "reduce_sum_square", "sum of x^2 over axes",
              Reduce(Reduction::kSumSquare));
KILN_REGISTER(OpRegistry(), "reduce_log_sum", "log of the sum over axes",
              Reduce(Reduction::kLogSum));
KILN_REGISTER(OpRegistry(), "reduce_log_sum_exp", "log of the sum of exp over axes",
              Reduce(Reduction::kLogSumExp));

// ---- argmax, argmin ----
// A tensor as [outer, extent, inner] around `axis`: element (o, k, i) is at
// (o * extent + k) * inner + i.
struct AxisSplit {
  int64_t outer = 1, extent = 1, inner = 1;
};
AxisSplit SplitAt(const std::vector<int64_t>& shape, int64_t axis) {
  AxisSplit s;
  for (int64_t d = 0; d < axis; ++d) s.outer *= shape[d];
  s.extent = shape[axis];
  for (size_t d = axis + 1; d < shape.size(); ++d) s.inner *= shape[d];
  return s;
}

std::vector<int64_t> ArgReduceShape(std::vector<int64_t> shape, int64_t axis, bool keepdims) {
  if (keepdims) {
    shape[axis] = 1;
  } else {
    shape.erase(shape.begin() + axis);
  }
  return shape;
}

OpDef ArgReduce(bool is_max) {
  OpDef def;
  // Two passes over the axis (the extreme, then its index): not fusable.
  def.pattern = OpPattern::kOpaque;
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectInputs(in, 1, 1); !st.ok()) return st;
    auto attrs = ArgReduceAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    const auto& x = in[0]->shape;
    if (x.empty()) return absl::InvalidArgumentError("the input is a scalar; expected rank >= 1");
    auto axis = NormalizeAxis(attrs->axis, x.size());
    if (!axis.ok()) return axis.status();
    if (x[*axis] == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("axis ", attrs->axis, " of ", runtime::ShapeToString(x),
                       " is empty; it has no largest or smallest element"));
    }
    return std::vector<TensorType>{{DType::kInt64, ArgReduceShape(x, *axis, attrs->keepdims)}};
  };
  def.evaluate = [is_max](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    auto attrs = ArgReduceAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    const auto& x = in[0].shape();
    auto axis = NormalizeAxis(attrs->axis, x.size());
    if (!axis.ok()) return axis.status();
    const auto [outer, extent, inner] = SplitAt(x, *axis);
    auto out = Allocate({DType::kInt64, ArgReduceShape(x, *axis, attrs->keepdims)});
    if (!out.ok()) return out.status();
    const bool last = attrs->select_last_index;
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        int64_t best = 0;
        double best_value = Load(in[0], o * extent * inner + i);
        for (int64_t k = 1; k < extent; ++k) {
          const double v = Load(in[0], (o * extent + k) * inner + i);
          const bool better = is_max ? (v > best_value || (last && v == best_value))
                                     : (v < best_value || (last && v == best_value));
          if (better) {
            best = k;
            best_value = v;
          }
        }
        out->data<int64_t>()[o * inner + i] = best;
      }
    }
    return std::vector<NDArray>{*out};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "argmax", "index of the largest element along an axis",
              ArgReduce(true));
KILN_REGISTER(OpRegistry(), "argmin", "index of the smallest element along an axis",
              ArgReduce(false));

// ---- cumsum ----
OpDef CumSum() {
  OpDef def;
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectInputs(in, 1, 1); !st.ok()) return st;
    auto attrs = CumSumAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    if (in[0]->shape.empty()) {
      return absl::InvalidArgumentError("the input is a scalar; expected rank >= 1");
    }
    auto axis = NormalizeAxis(attrs->axis, in[0]->shape.size());
    if (!axis.ok()) return axis.status();
    return std::vector<TensorType>{*in[0]};
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    auto attrs = CumSumAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    const auto& x = in[0].shape();
    auto axis = NormalizeAxis(attrs->axis, x.size());
    if (!axis.ok()) return axis.status();
    const auto [outer, extent, inner] = SplitAt(x, *axis);
    auto out = Allocate({in[0].dtype(), x});
    if (!out.ok()) return out.status();
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        double sum = 0;
        for (int64_t step = 0; step < extent; ++step) {
          const int64_t k = attrs->reverse ? extent - 1 - step : step;
          const int64_t at = (o * extent + k) * inner + i;
          const double v = Load(in[0], at);
          if (!attrs->exclusive) sum += v;
          Store(*out, at, sum);
          if (attrs->exclusive) sum += v;
        }
      }
    }
    return std::vector<NDArray>{*out};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "cumsum", "running sums along an axis", CumSum());

// ---- matrix products ----
OpDef MatMul() {
  OpDef def;
  def.pattern = OpPattern::kOutEWiseFusable;
  // numpy matmul: 1-D operands are promoted and the added axis removed.
  auto shapes = [](std::vector<int64_t> a, std::vector<int64_t> b)
      -> absl::StatusOr<std::tuple<std::vector<int64_t>, std::vector<int64_t>, std::vector<int64_t>>> {
    if (a.empty() || b.empty()) return absl::InvalidArgumentError("matmul of a scalar");
    const bool a1 = a.size() == 1, b1 = b.size() == 1;
    if (a1) a.insert(a.begin(), 1);
    if (b1) b.push_back(1);
    if (a.back() != b[b.size() - 2]) {
      return absl::InvalidArgumentError(absl::StrCat("inner dimensions ", a.back(), " and ",
                                                     b[b.size() - 2], " differ"));
    }
    std::vector<int64_t> ab(a.begin(), a.end() - 2), bb(b.begin(), b.end() - 2);
    auto batch = Broadcast(ab, bb);
    if (!batch.ok()) return batch.status();
    std::vector<int64_t> out = *batch;
    if (!a1) out.push_back(a[a.size() - 2]);
    if (!b1) out.push_back(b.back());
    return std::make_tuple(a, b, out);
  };
  def.infer = [shapes](const Node&, const Types& in) -> Result {
    if (auto st = ExpectInputs(in, 2, 2); !st.ok()) return st;
    const DType t = in[0]->dtype;
    if ((t != DType::kFloat32 && t != DType::kFloat64) || in[1]->dtype != t) {
      return absl::UnimplementedError(absl::StrCat(
          "matmul of ", runtime::DTypeName(t), " by ", runtime::DTypeName(in[1]->dtype),
          "; kiln multiplies float32 or float64 matrices of one type"));
    }
    auto s = shapes(in[0]->shape, in[1]->shape);
    if (!s.ok()) return s.status();
    return std::vector<TensorType>{{in[0]->dtype, std::get<2>(*s)}};
  };
  def.evaluate = [shapes](const Node&, const std::vector<NDArray>& in) -> Outputs {
    auto s = shapes(in[0].shape(), in[1].shape());
    if (!s.ok()) return s.status();
    const auto& [a, b, out_shape] = *s;
    const int64_t m = a[a.size() - 2], k = a.back(), n = b.back();
    std::vector<int64_t> batch(out_shape.begin(),
                               out_shape.begin() + (std::max(a.size(), b.size()) - 2));
    std::vector<int64_t> ab(a.begin(), a.end() - 2), bb(b.begin(), b.end() - 2);
    auto out = Allocate({in[0].dtype(), out_shape});
    if (!out.ok()) return out.status();
    auto multiply = [&](auto zero) {
      using T = decltype(zero);
      ForEachIndex(batch, [&](int64_t t, const std::vector<int64_t>& index) {
        const T* ap = in[0].data<T>() + BroadcastIndex(index, ab) * m * k;
        const T* bp = in[1].data<T>() + BroadcastIndex(index, bb) * k * n;
        T* op = out->data<T>() + t * m * n;
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < n; ++j) {
            double acc = 0;
            for (int64_t q = 0; q < k; ++q) acc += double{ap[i * k + q]} * bp[q * n + j];
            op[i * n + j] = static_cast<T>(acc);
          }
      });
    };
    if (in[0].dtype() == DType::kFloat64) {
      multiply(0.0);
    } else {
      multiply(0.0f);
    }
    return std::vector<NDArray>{*out};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "matmul", "numpy matmul", MatMul());

OpDef Gemm() {
  OpDef def;
  def.pattern = OpPattern::kOutEWiseFusable;
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectFloat32(in); !st.ok()) return st;
    if (auto st = ExpectInputs(in, 2, 3); !st.ok()) return st;
    if (in[0]->shape.size() != 2 || in[1]->shape.size() != 2) {
      return absl::InvalidArgumentError("gemm needs 2-D operands");
    }
    auto attrs = GemmAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    const bool ta = attrs->trans_a, tb = attrs->trans_b;
    const int64_t m = in[0]->shape[ta ? 1 : 0], k = in[0]->shape[ta ? 0 : 1];
    const int64_t k2 = in[1]->shape[tb ? 1 : 0], nn = in[1]->shape[tb ? 0 : 1];
    if (k != k2) return absl::InvalidArgumentError("inner dimensions differ");
    if (in.size() > 2 && in[2]) {
      auto b = Broadcast(in[2]->shape, {m, nn});
      if (!b.ok() || *b != std::vector<int64_t>{m, nn}) {
        return absl::InvalidArgumentError("C does not broadcast to the output");
      }
    }
    return std::vector<TensorType>{{in[0]->dtype, {m, nn}}};
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    auto attrs = GemmAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    const bool ta = attrs->trans_a, tb = attrs->trans_b;
    const double alpha = attrs->alpha, beta = attrs->beta;
    const auto& as = in[0].shape();
    const auto& bs = in[1].shape();
    const int64_t m = as[ta ? 1 : 0], k = as[ta ? 0 : 1], nn = bs[tb ? 0 : 1];
    auto out = Allocate({DType::kFloat32, {m, nn}});
    if (!out.ok()) return out.status();
    const bool has_c = in.size() > 2 && in[2].defined();
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < nn; ++j) {
        double acc = 0;
        for (int64_t q = 0; q < k; ++q) {
          const float a = in[0].data<float>()[ta ? q * m + i : i * k + q];
          const float b = in[1].data<float>()[tb ? j * k + q : q * nn + j];
          acc += a * b;
        }
        double c = has_c ? in[2].data<float>()[BroadcastIndex({i, j}, in[2].shape())] : 0.0;
        out->data<float>()[i * nn + j] = static_cast<float>(alpha * acc + beta * c);
      }
    return std::vector<NDArray>{*out};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "gemm", "alpha * A' B' + beta * C", Gemm());

// ---- softmax, log_softmax and hardmax over the axes from `axis` on
// (legacy opsets) or one axis ----
enum class SoftmaxKind { kSoftmax, kLogSoftmax, kHardmax };

OpDef Softmax(SoftmaxKind kind) {
  OpDef def;
  def.pattern = OpPattern::kOpaque;
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectFloat32(in); !st.ok()) return st;
    if (auto st = ExpectInputs(in, 1, 1); !st.ok()) return st;
    auto attrs = SoftmaxAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    auto axis = attrs->Axis(in[0]->shape.size());
    if (!axis.ok()) return axis.status();
    return std::vector<TensorType>{*in[0]};
  };
  def.evaluate = [kind](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    const auto& shape = in[0].shape();
    auto attrs = SoftmaxAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    auto normalized = attrs->Axis(shape.size());
    if (!normalized.ok()) return normalized.status();
    const int64_t axis = *normalized;
    const bool flatten = attrs->flatten;
    int64_t outer = 1, len = 1, inner = 1;
    for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
      if (d < axis) outer *= shape[d];
      else if (d == axis || flatten) len *= shape[d];
      else inner *= shape[d];
    }
    auto out = Allocate({DType::kFloat32, shape});
    if (!out.ok()) return out.status();
    const float* x = in[0].data<float>();
    float* y = out->data<float>();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        auto at = [&](int64_t l) { return (o * len + l) * inner + i; };
        double m = -std::numeric_limits<double>::infinity(), sum = 0;
        int64_t first = 0;
        for (int64_t l = 0; l < len; ++l) {
          if (x[at(l)] > m) {
            m = x[at(l)];
            first = l;
          }
        }
        for (int64_t l = 0; l < len; ++l) sum += std::exp(x[at(l)] - m);
        for (int64_t l = 0; l < len; ++l) {
          double v = 0;
          switch (kind) {
            case SoftmaxKind::kSoftmax: v = std::exp(x[at(l)] - m) / sum; break;
            case SoftmaxKind::kLogSoftmax: v = x[at(l)] - m - std::log(sum); break;
            case SoftmaxKind::kHardmax: v = l == first ? 1.0 : 0.0; break;
          }
          y[at(l)] = static_cast<float>(v);
        }
      }
    return std::vector<NDArray>{*out};
  };
  return def;
}
KILN_REGISTER(OpRegistry(), "softmax", "softmax along axis (or axes >= axis if flatten)",
              Softmax(SoftmaxKind::kSoftmax));
KILN_REGISTER(OpRegistry(), "log_softmax", "log of softmax along axis (or axes >= axis if flatten)",
              Softmax(SoftmaxKind::kLogSoftmax));
KILN_REGISTER(OpRegistry(), "hardmax",
              "1 at the first maximum along axis (or axes >= axis if flatten), 0 elsewhere",
              Softmax(SoftmaxKind::kHardmax));

}  // namespace
}  // namespace kiln::graph::ops

// Operators the target-specific passes introduce: convolution in the
// blocked NCHW[x]c layout with its fused epilogue, conversions between
// layouts, and chains of elementwise operators fused into one. Their
// reference implementations let every pass be checked by running the graph
// before and after it.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ir/graph/attrs_data_movement.h"
#include "ir/graph/attrs_nn.h"
#include "ir/graph/fused_elementwise.h"
#include "ir/graph/op_registry.h"
#include "ir/graph/ops_common.h"
#include "ir/graph/post_ops.h"
#include "ir/ops/winograd_matrices.h"

namespace kiln::graph::ops {
namespace {

using Types = std::vector<const TensorType*>;
using Result = absl::StatusOr<std::vector<TensorType>>;
using Outputs = absl::StatusOr<std::vector<NDArray>>;

// ---- layout_transform: plain NCHW (block 0) <-> NCHW[b]c, or b1 -> b2 ----

// The plain NCHW shape of a tensor in `block` layout (0 = plain already).
absl::StatusOr<std::vector<int64_t>> PlainShape(const std::vector<int64_t>& s, int64_t block) {
  if (block == 0) {
    if (s.size() != 4) return absl::InvalidArgumentError("a plain layout tensor must be 4-D");
    return s;
  }
  if (s.size() != 5 || s[4] != block) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected a 5-D tensor with inner block ", block, ", got ",
                     runtime::ShapeToString(s)));
  }
  return std::vector<int64_t>{s[0], s[1] * block, s[2], s[3]};
}

absl::StatusOr<std::vector<int64_t>> ShapeInLayout(const std::vector<int64_t>& plain,
                                                   int64_t block) {
  if (block == 0) return plain;
  if (plain[1] % block != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(plain[1], " channels do not divide into blocks of ", block));
  }
  return std::vector<int64_t>{plain[0], plain[1] / block, plain[2], plain[3], block};
}

// Flat offset of plain element (n, c, h, w) in `block` layout with plain dims p.
int64_t OffsetInLayout(const std::vector<int64_t>& p, int64_t block, int64_t n, int64_t c,
                       int64_t h, int64_t w) {
  if (block == 0) return ((n * p[1] + c) * p[2] + h) * p[3] + w;
  return ((((n * (p[1] / block) + c / block) * p[2] + h) * p[3] + w) * block) + c % block;
}

OpDef LayoutTransform() {
  OpDef def;
  def.pattern = OpPattern::kInjective;
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectInputs(in, 1, 1); !st.ok()) return st;
    auto a = LayoutTransformAttrs::Read(n);
    if (!a.ok()) return a.status();
    auto plain = PlainShape(in[0]->shape, a->src_block);
    if (!plain.ok()) return plain.status();
    auto out = ShapeInLayout(*plain, a->dst_block);
    if (!out.ok()) return out.status();
    return std::vector<TensorType>{{in[0]->dtype, *out}};
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    auto a = LayoutTransformAttrs::Read(n);
    if (!a.ok()) return a.status();
    const int64_t src = a->src_block, dst = a->dst_block;
    auto plain = PlainShape(in[0].shape(), src);
    if (!plain.ok()) return plain.status();
    const std::vector<int64_t>& p = *plain;
    auto shape = ShapeInLayout(p, dst);
    if (!shape.ok()) return shape.status();
    auto out = Allocate({in[0].dtype(), *shape});
    if (!out.ok()) return out.status();
    for (int64_t b = 0; b < p[0]; ++b)
      for (int64_t c = 0; c < p[1]; ++c)
        for (int64_t h = 0; h < p[2]; ++h)
          for (int64_t w = 0; w < p[3]; ++w)
            Store(*out, OffsetInLayout(p, dst, b, c, h, w),
                  Load(in[0], OffsetInLayout(p, src, b, c, h, w)));
    return std::vector<NDArray>{*out};
  };
  return def;
}

// ---- conv2d_nchwc ----
// Inputs: data [N, C/ib, H, W, ib], weight [OC/ob, C/ib, KH, KW, ib, ob],
// optional bias [OC], optional residual (the output's shape). The output is
// clamp(conv + bias + residual) as its activation says (none, relu, clip).

struct ConvGeometry {
  int64_t kh, kw, sh, sw, ph, pw, dh, dw, oh, ow;
};

absl::StatusOr<ConvGeometry> Geometry(const Node& n, const std::vector<int64_t>& data,
                                      const std::vector<int64_t>& weight) {
  auto a = Conv2dAttrs::Read(n);
  if (!a.ok()) return a.status();
  if (!a->symmetric_pads()) {
    return absl::InvalidArgumentError(absl::StrCat(
        n.op, " ", n.name, " takes symmetric pads [t, l, t, l], got [", a->pads[0], ", ",
        a->pads[1], ", ", a->pads[2], ", ", a->pads[3], "]"));
  }
  return ConvGeometry{weight[2],
                      weight[3],
                      a->strides[0],
                      a->strides[1],
                      a->pads[0],
                      a->pads[1],
                      a->dilations[0],
                      a->dilations[1],
                      a->OutHeight(data[2], weight[2]),
                      a->OutWidth(data[3], weight[3])};
}

// `out` (a blocked conv's output) once the optional bias [OC] and residual
// (the output's shape) of a blocked conv's epilogue, and the operands of its
// post ops, are checked against it.
Result ConvOutputWithEpilogue(const Node& n, const Types& in, TensorType out) {
  const int64_t channels = out.shape[1] * out.shape[4];
  if (in.size() > 2 && in[2] && in[2]->shape != std::vector<int64_t>{channels}) {
    return absl::InvalidArgumentError(
        absl::StrCat(n.op, " bias must have one value per channel (", channels, "), got ",
                     in[2]->ToString()));
  }
  if (in.size() > 3 && in[3] && in[3]->shape != out.shape) {
    return absl::InvalidArgumentError(absl::StrCat(n.op, " residual ", in[3]->ToString(),
                                                   " differs from the output ", out.ToString()));
  }
  if (HasPostOps(n)) {
    if (auto st = CheckPostOpTypes(n, out, in); !st.ok()) return st;
  }
  return std::vector<TensorType>{out};
}

// A blocked conv's reference output from its accumulated `acc`: the bias of
// `channel` and the residual at output element `at` (when present), then
// the activation's clamp.
float WithEpilogue(double acc, const std::vector<NDArray>& in, int64_t channel, int64_t at,
                   const ConvEpilogueAttrs& epilogue) {
  if (in.size() > 2 && in[2].defined()) acc += in[2].data<float>()[channel];
  if (in.size() > 3 && in[3].defined()) acc += in[3].data<float>()[at];
  return static_cast<float>(epilogue.Apply(acc));
}

// A conv's data, weight, optional bias and residual, then its post ops'
// operands.
absl::Status ExpectConvInputs(const Node& n, const Types& in) {
  auto post = PostOpInputs(n);
  if (!post.ok()) return post.status();
  return ExpectInputs(in, 2, 4 + *post);
}

// A kernel's output once the post ops fused into it have run.
Outputs WithPostOps(const Node& n, NDArray out, const std::vector<NDArray>& in) {
  if (!HasPostOps(n)) return std::vector<NDArray>{std::move(out)};
  auto post = ApplyPostOps(n, std::move(out), in);
  if (!post.ok()) return post.status();
  return std::vector<NDArray>{*post};
}

OpDef Conv2dNCHWc() {
  OpDef def;
  def.pattern = OpPattern::kOutEWiseFusable;
  def.post_op_inputs = 4;  // data, weight, bias, residual
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectConvInputs(n, in); !st.ok()) return st;
    const auto& d = in[0]->shape;
    const auto& w = in[1]->shape;
    if (d.size() != 5 || w.size() != 6 || w[1] != d[1] || w[4] != d[4]) {
      return absl::InvalidArgumentError(absl::StrCat(
          "conv2d_nchwc expects data [N, C/ib, H, W, ib] and weight [OC/ob, C/ib, KH, KW, ib, "
          "ob], got ",
          in[0]->ToString(), " and ", in[1]->ToString()));
    }
    auto g = Geometry(n, d, w);
    if (!g.ok()) return g.status();
    if (g->oh < 1 || g->ow < 1) return absl::InvalidArgumentError("the output would be empty");
    return ConvOutputWithEpilogue(n, in, {in[0]->dtype, {d[0], w[0], g->oh, g->ow, w[5]}});
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    const auto& d = in[0].shape();
    const auto& w = in[1].shape();
    const ConvGeometry g = *Geometry(n, d, w);
    auto epilogue = ConvEpilogueAttrs::Read(n);
    if (!epilogue.ok()) return epilogue.status();
    const int64_t ib = d[4], ob = w[5], icc = d[1];
    auto out = Allocate({DType::kFloat32, {d[0], w[0], g.oh, g.ow, ob}});
    if (!out.ok()) return out.status();
    const float* x = in[0].data<float>();
    const float* k = in[1].data<float>();
    ForEachIndex(out->shape(), [&](int64_t i, const std::vector<int64_t>& o) {
      double acc = 0;
      for (int64_t c = 0; c < icc; ++c)
        for (int64_t y = 0; y < g.kh; ++y)
          for (int64_t z = 0; z < g.kw; ++z) {
            const int64_t iy = o[2] * g.sh + y * g.dh - g.ph;
            const int64_t ix = o[3] * g.sw + z * g.dw - g.pw;
            if (iy < 0 || iy >= d[2] || ix < 0 || ix >= d[3]) continue;
            for (int64_t j = 0; j < ib; ++j) {
              acc += static_cast<double>(x[(((o[0] * icc + c) * d[2] + iy) * d[3] + ix) * ib + j]) *
                     k[((((o[1] * icc + c) * g.kh + y) * g.kw + z) * ib + j) * ob + o[4]];
            }
          }
      out->data<float>()[i] = WithEpilogue(acc, in, o[1] * ob + o[4], i, *epilogue);
    });
    return WithPostOps(n, *std::move(out), in);
  };
  return def;
}

// ---- depthwise_conv2d_nchwc ----
// One filter per channel (ONNX Conv with group = channels): data
// [N, C/b, H, W, b], weight [C/b, KH, KW, b], optional bias [C] and residual
// (the output's shape); relu(conv + bias + residual) as conv2d_nchwc.

OpDef DepthwiseConv2dNCHWc() {
  OpDef def;
  def.pattern = OpPattern::kOutEWiseFusable;
  def.post_op_inputs = 4;  // data, weight, bias, residual
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectConvInputs(n, in); !st.ok()) return st;
    const auto& d = in[0]->shape;
    const auto& w = in[1]->shape;
    if (d.size() != 5 || w.size() != 4 || w[0] != d[1] || w[3] != d[4]) {
      return absl::InvalidArgumentError(absl::StrCat(
          "depthwise_conv2d_nchwc expects data [N, C/b, H, W, b] and weight [C/b, KH, KW, b], "
          "got ",
          in[0]->ToString(), " and ", in[1]->ToString()));
    }
    auto g = Geometry(n, d, {0, 0, w[1], w[2]});
    if (!g.ok()) return g.status();
    if (g->oh < 1 || g->ow < 1) return absl::InvalidArgumentError("the output would be empty");
    return ConvOutputWithEpilogue(n, in, {in[0]->dtype, {d[0], d[1], g->oh, g->ow, d[4]}});
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    const auto& d = in[0].shape();
    const auto& w = in[1].shape();
    auto g = Geometry(n, d, {0, 0, w[1], w[2]});
    if (!g.ok()) return g.status();
    auto epilogue = ConvEpilogueAttrs::Read(n);
    if (!epilogue.ok()) return epilogue.status();
    const int64_t b = d[4], cc = d[1];
    auto out = Allocate({DType::kFloat32, {d[0], cc, g->oh, g->ow, b}});
    if (!out.ok()) return out.status();
    const float* x = in[0].data<float>();
    const float* k = in[1].data<float>();
    ForEachIndex(out->shape(), [&](int64_t i, const std::vector<int64_t>& o) {
      double acc = 0;
      for (int64_t y = 0; y < g->kh; ++y)
        for (int64_t z = 0; z < g->kw; ++z) {
          const int64_t iy = o[2] * g->sh + y * g->dh - g->ph;
          const int64_t ix = o[3] * g->sw + z * g->dw - g->pw;
          if (iy < 0 || iy >= d[2] || ix < 0 || ix >= d[3]) continue;
          acc += static_cast<double>(x[(((o[0] * cc + o[1]) * d[2] + iy) * d[3] + ix) * b + o[4]]) *
                 k[((o[1] * g->kh + y) * g->kw + z) * b + o[4]];
        }
      out->data<float>()[i] = WithEpilogue(acc, in, o[1] * b + o[4], i, *epilogue);
    });
    return WithPostOps(n, *std::move(out), in);
  };
  return def;
}

// ---- conv2d_winograd_nchwc ----
// The same convolution for a 3x3 kernel at stride 1, with the weight already
// Winograd-transformed: [alpha^2, OC/ob, C/ib, ib, ob] for F(m x m, 3 x 3),
// m = winograd_tile, alpha = m + 2. The reference runs the algorithm itself
// in double precision, tile by tile.

absl::StatusOr<ir::ops::WinogradMatrices> WinogradOf(const Node& n,
                                                     const std::vector<int64_t>& weight) {
  auto m = n.Int("winograd_tile");
  if (!m.ok()) return m.status();
  auto mats = ir::ops::WinogradMatricesFor(*m);
  if (!mats.ok()) return mats.status();
  if (weight.size() != 5 || weight[0] != mats->alpha * mats->alpha) {
    return absl::InvalidArgumentError(absl::StrCat(
        "conv2d_winograd_nchwc with tile ", *m, " expects weight [", mats->alpha * mats->alpha,
        ", OC/ob, C/ib, ib, ob], got ", runtime::ShapeToString(weight)));
  }
  return mats;
}

absl::StatusOr<ConvGeometry> WinogradGeometry(const Node& n, const std::vector<int64_t>& data) {
  // The geometry of a 3x3 kernel (the weight's shape no longer says it).
  auto g = Geometry(n, data, {0, 0, 3, 3});
  if (!g.ok()) return g.status();
  if (g->sh != 1 || g->sw != 1 || g->dh != 1 || g->dw != 1) {
    return absl::InvalidArgumentError("conv2d_winograd_nchwc takes stride 1 and dilation 1");
  }
  return g;
}

OpDef Conv2dWinogradNCHWc() {
  OpDef def;
  def.pattern = OpPattern::kOutEWiseFusable;
  def.post_op_inputs = 4;  // data, weight, bias, residual
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectConvInputs(n, in); !st.ok()) return st;
    const auto& d = in[0]->shape;
    const auto& w = in[1]->shape;
    if (auto mats = WinogradOf(n, w); !mats.ok()) return mats.status();
    if (d.size() != 5 || w[2] != d[1] || w[3] != d[4]) {
      return absl::InvalidArgumentError(absl::StrCat(
          "conv2d_winograd_nchwc expects data [N, C/ib, H, W, ib] and weight "
          "[alpha^2, OC/ob, C/ib, ib, ob], got ",
          in[0]->ToString(), " and ", in[1]->ToString()));
    }
    auto g = WinogradGeometry(n, d);
    if (!g.ok()) return g.status();
    if (g->oh < 1 || g->ow < 1) return absl::InvalidArgumentError("the output would be empty");
    return ConvOutputWithEpilogue(n, in, {in[0]->dtype, {d[0], w[1], g->oh, g->ow, w[4]}});
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    const auto& d = in[0].shape();
    const auto& w = in[1].shape();
    const ir::ops::WinogradMatrices x = *WinogradOf(n, w);
    const ConvGeometry g = *WinogradGeometry(n, d);
    auto epilogue = ConvEpilogueAttrs::Read(n);
    if (!epilogue.ok()) return epilogue.status();
    const int64_t m = x.m, al = x.alpha, icc = d[1], ib = d[4], occ = w[1], ob = w[4];
    const int64_t ic = icc * ib, oc = occ * ob;
    auto out = Allocate({DType::kFloat32, {d[0], occ, g.oh, g.ow, ob}});
    if (!out.ok()) return out.status();
    const float* data = in[0].data<float>();
    const float* u = in[1].data<float>();
    std::vector<double> v(al * al * ic), prod(al * al * oc);
    for (int64_t b = 0; b < d[0]; ++b)
      for (int64_t ty = 0; ty * m < g.oh; ++ty)
        for (int64_t tx = 0; tx * m < g.ow; ++tx) {
          // V = B^T d B for every input channel of this tile.
          for (int64_t c = 0; c < ic; ++c)
            for (int64_t p = 0; p < al; ++p)
              for (int64_t q = 0; q < al; ++q) {
                double acc = 0;
                for (int64_t r = 0; r < al; ++r)
                  for (int64_t s = 0; s < al; ++s) {
                    const int64_t y = ty * m + r - g.ph, z = tx * m + s - g.pw;
                    if (y < 0 || y >= d[2] || z < 0 || z >= d[3]) continue;
                    acc += x.bt[p * al + r] * x.bt[q * al + s] *
                           data[(((b * icc + c / ib) * d[2] + y) * d[3] + z) * ib + c % ib];
                  }
                v[(p * al + q) * ic + c] = acc;
              }
          // M = sum over input channels of U . V
          for (int64_t xi = 0; xi < al * al; ++xi)
            for (int64_t o = 0; o < oc; ++o) {
              double acc = 0;
              for (int64_t c = 0; c < ic; ++c) {
                acc += v[xi * ic + c] *
                       u[(((xi * occ + o / ob) * icc + c / ib) * ib + c % ib) * ob + o % ob];
              }
              prod[xi * oc + o] = acc;
            }
          // y = A^T M A, then the epilogue.
          for (int64_t o = 0; o < oc; ++o)
            for (int64_t i = 0; i < m && ty * m + i < g.oh; ++i)
              for (int64_t j = 0; j < m && tx * m + j < g.ow; ++j) {
                double acc = 0;
                for (int64_t p = 0; p < al; ++p)
                  for (int64_t q = 0; q < al; ++q)
                    acc += x.at[i * al + p] * x.at[j * al + q] * prod[(p * al + q) * oc + o];
                const int64_t at =
                    (((b * occ + o / ob) * g.oh + ty * m + i) * g.ow + tx * m + j) * ob + o % ob;
                out->data<float>()[at] = WithEpilogue(acc, in, o, at, *epilogue);
              }
        }
    return WithPostOps(n, *std::move(out), in);
  };
  return def;
}

// ---- dense: data [M, K], weight packed [N/bn, K, bn], optional bias [N] ----
OpDef Dense() {
  OpDef def;
  def.pattern = OpPattern::kOutEWiseFusable;
  def.post_op_inputs = 3;  // data, weight, bias
  def.infer = [](const Node& n, const Types& in) -> Result {
    auto post = PostOpInputs(n);
    if (!post.ok()) return post.status();
    if (auto st = ExpectInputs(in, 2, 3 + *post); !st.ok()) return st;
    const auto& d = in[0]->shape;
    const auto& w = in[1]->shape;
    if (d.size() != 2 || w.size() != 3 || w[1] != d[1]) {
      return absl::InvalidArgumentError(absl::StrCat(
          "dense expects data [M, K] and weight [N/bn, K, bn], got ", in[0]->ToString(),
          " and ", in[1]->ToString()));
    }
    if (in.size() > 2 && in[2] && in[2]->shape != std::vector<int64_t>{w[0] * w[2]}) {
      return absl::InvalidArgumentError("dense bias must have one value per output feature");
    }
    const TensorType out{in[0]->dtype, {d[0], w[0] * w[2]}};
    if (HasPostOps(n)) {
      if (auto st = CheckPostOpTypes(n, out, in); !st.ok()) return st;
    }
    return std::vector<TensorType>{out};
  };
  def.evaluate = [](const Node& node, const std::vector<NDArray>& in) -> Outputs {
    const auto& d = in[0].shape();
    const auto& w = in[1].shape();
    const int64_t n = w[0] * w[2], bn = w[2];
    auto out = Allocate({DType::kFloat32, {d[0], n}});
    if (!out.ok()) return out.status();
    for (int64_t i = 0; i < d[0]; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double acc = in.size() > 2 && in[2].defined() ? in[2].data<float>()[j] : 0.0;
        for (int64_t k = 0; k < d[1]; ++k) {
          acc += static_cast<double>(in[0].data<float>()[i * d[1] + k]) *
                 in[1].data<float>()[((j / bn) * d[1] + k) * bn + j % bn];
        }
        out->data<float>()[i * n + j] = static_cast<float>(acc);
      }
    return WithPostOps(node, *std::move(out), in);
  };
  return def;
}

}  // namespace

namespace {

OpDef FusedElementwise() {
  OpDef def;
  def.pattern = OpPattern::kBroadcast;
  def.infer = [](const Node& n, const Types& in) -> Result {
    auto steps = FusedProgram(n);
    if (!steps.ok()) return steps.status();
    std::vector<TensorType> results;
    for (const FusedStep& step : *steps) {
      Types args;
      for (int64_t o : step.operands) args.push_back(o >= 0 ? in[o] : &results[-o - 1]);
      auto sub = OpRegistry().Find(step.node.op);
      if (!sub.ok()) return sub.status();
      auto out = sub->infer(step.node, args);
      if (!out.ok()) return out.status();
      results.push_back((*out)[0]);
    }
    return std::vector<TensorType>{results.back()};
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    auto steps = FusedProgram(n);
    if (!steps.ok()) return steps.status();
    std::vector<NDArray> results;
    for (const FusedStep& step : *steps) {
      std::vector<NDArray> args;
      for (int64_t o : step.operands) args.push_back(o >= 0 ? in[o] : results[-o - 1]);
      auto out = EvaluateNode(step.node, args);
      if (!out.ok()) return out.status();
      results.push_back((*out)[0]);
    }
    return std::vector<NDArray>{results.back()};
  };
  return def;
}

}  // namespace

KILN_REGISTER(OpRegistry(), "layout_transform", "NCHW <-> NCHW[x]c (block 0 = plain)",
              LayoutTransform());
KILN_REGISTER(OpRegistry(), "conv2d_nchwc", "conv2d in NCHW[x]c with bias/residual/relu",
              Conv2dNCHWc());
KILN_REGISTER(OpRegistry(), "depthwise_conv2d_nchwc",
              "depthwise conv2d in NCHW[x]c with bias/residual/relu", DepthwiseConv2dNCHWc());
KILN_REGISTER(OpRegistry(), "conv2d_winograd_nchwc",
              "3x3 stride-1 conv2d in NCHW[x]c by Winograd, weight pre-transformed",
              Conv2dWinogradNCHWc());
KILN_REGISTER(OpRegistry(), "dense", "fully connected, weight packed [N/bn, K, bn]", Dense());
KILN_REGISTER(OpRegistry(), "fused_elementwise", "a chain of elementwise operators",
              FusedElementwise());

}  // namespace kiln::graph::ops

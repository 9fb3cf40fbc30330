// Operators that make tensors larger: transposed convolution and resize.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ir/graph/attrs_data_movement.h"
#include "ir/graph/attrs_nn.h"
#include "ir/graph/op_registry.h"
#include "ir/graph/ops_common.h"

namespace kiln::graph::ops {
namespace {

using Types = std::vector<const TensorType*>;
using Result = absl::StatusOr<std::vector<TensorType>>;
using Outputs = absl::StatusOr<std::vector<NDArray>>;

// ---- conv_transpose: x [N, C, H, W], w [C, OC/group, KH, KW], bias [OC] ----

OpDef ConvTranspose() {
  OpDef def;
  def.pattern = OpPattern::kOutEWiseFusable;
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectInputs(in, 2, 3); !st.ok()) return st;
    if (auto st = ExpectFloat32(in); !st.ok()) return st;
    const auto& x = in[0]->shape;
    const auto& w = in[1]->shape;
    auto g = ConvTransposeAttrs::Read(n);
    if (!g.ok()) return g.status();
    if (x.size() != 4 || w.size() != 4 || w[0] != x[1] || x[1] % g->group != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "conv_transpose expects x [N, C, H, W] and w [C, OC/group, KH, KW], got ",
          in[0]->ToString(), " and ", in[1]->ToString()));
    }
    const int64_t oc = w[1] * g->group;
    if (in.size() > 2 && in[2] && in[2]->shape != std::vector<int64_t>{oc}) {
      return absl::InvalidArgumentError("conv_transpose bias must have one value per channel");
    }
    const int64_t oh = g->OutHeight(x[2], w[2]);
    const int64_t ow = g->OutWidth(x[3], w[3]);
    if (oh < 1 || ow < 1) return absl::InvalidArgumentError("the output would be empty");
    return std::vector<TensorType>{{in[0]->dtype, {x[0], oc, oh, ow}}};
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    const auto& x = in[0].shape();
    const auto& w = in[1].shape();
    auto attrs = ConvTransposeAttrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    const ConvTransposeAttrs& g = *attrs;
    const int64_t ocg = w[1], icg = x[1] / g.group, oc = ocg * g.group;
    const int64_t oh = g.OutHeight(x[2], w[2]);
    const int64_t ow = g.OutWidth(x[3], w[3]);
    std::vector<double> acc(x[0] * oc * oh * ow, 0.0);
    // Scatter: every input pixel adds its kernel-weighted value to the
    // output pixels it reaches.
    for (int64_t b = 0; b < x[0]; ++b)
      for (int64_t c = 0; c < x[1]; ++c) {
        const int64_t grp = c / icg;
        for (int64_t y = 0; y < x[2]; ++y)
          for (int64_t z = 0; z < x[3]; ++z) {
            const double v = in[0].data<float>()[((b * x[1] + c) * x[2] + y) * x[3] + z];
            for (int64_t o = 0; o < ocg; ++o)
              for (int64_t ky = 0; ky < w[2]; ++ky)
                for (int64_t kx = 0; kx < w[3]; ++kx) {
                  const int64_t py = y * g.strides[0] + ky * g.dilations[0] - g.pads[0];
                  const int64_t px = z * g.strides[1] + kx * g.dilations[1] - g.pads[1];
                  if (py < 0 || py >= oh || px < 0 || px >= ow) continue;
                  acc[((b * oc + grp * ocg + o) * oh + py) * ow + px] +=
                      v * in[1].data<float>()[((c * ocg + o) * w[2] + ky) * w[3] + kx];
                }
          }
      }
    auto out = Allocate({DType::kFloat32, {x[0], oc, oh, ow}});
    if (!out.ok()) return out.status();
    const bool bias = in.size() > 2 && in[2].defined();
    for (int64_t i = 0; i < out->NumElements(); ++i) {
      const int64_t channel = (i / (oh * ow)) % oc;
      out->data<float>()[i] =
          static_cast<float>(acc[i] + (bias ? in[2].data<float>()[channel] : 0.0));
    }
    return std::vector<NDArray>{*out};
  };
  return def;
}

// ---- resize: nearest or (multi)linear, ONNX's coordinate rules ----

// The input coordinate of output coordinate `x` along an axis. ONNX takes
// the resized length as in * scale, unrounded, in align_corners.
double SourceCoordinate(const std::string& mode, double x, double scale, int64_t in,
                        int64_t out) {
  if (mode == "asymmetric") return x / scale;
  if (mode == "align_corners") return out == 1 ? 0.0 : x * (in - 1) / (in * scale - 1);
  if (mode == "tf_half_pixel_for_nn") return (x + 0.5) / scale;
  if (mode == "pytorch_half_pixel") return out > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
  return (x + 0.5) / scale - 0.5;  // half_pixel
}

int64_t NearestIndex(const std::string& rounding, double x, int64_t in) {
  double r;
  if (rounding == "floor") {
    r = std::floor(x);
  } else if (rounding == "ceil") {
    r = std::ceil(x);
  } else if (rounding == "round_prefer_ceil") {
    r = std::floor(x + 0.5);
  } else {
    r = std::ceil(x - 0.5);  // round_prefer_floor
  }
  return std::clamp<int64_t>(static_cast<int64_t>(r), 0, in - 1);
}

OpDef Resize() {
  OpDef def;
  def.pattern = OpPattern::kInjective;
  def.infer = [](const Node& n, const Types& in) -> Result {
    if (auto st = ExpectInputs(in, 1, 1); !st.ok()) return st;
    if (auto st = ExpectFloat32(in); !st.ok()) return st;
    auto a = ResizeAttrs::Read(n);
    if (!a.ok()) return a.status();
    if (a->sizes.size() != in[0]->shape.size() || a->scales.size() != a->sizes.size()) {
      return absl::InvalidArgumentError("resize needs a size and a scale per axis");
    }
    for (int64_t s : a->sizes) {
      if (s < 1) return absl::InvalidArgumentError("resize to an empty tensor");
    }
    return std::vector<TensorType>{{in[0]->dtype, a->sizes}};
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in) -> Outputs {
    auto a = ResizeAttrs::Read(n);
    if (!a.ok()) return a.status();
    const std::vector<int64_t>& sizes = a->sizes;
    const std::vector<double>& scales = a->scales;
    const std::string& mode = a->mode;
    const std::string& coord = a->coordinate_mode;
    const std::string& rounding = a->nearest_mode;
    const auto& shape = in[0].shape();
    auto out = Allocate({in[0].dtype(), sizes});
    if (!out.ok()) return out.status();
    const size_t rank = shape.size();
    ForEachIndex(sizes, [&](int64_t i, const std::vector<int64_t>& o) {
      if (mode == "nearest") {
        std::vector<int64_t> src(rank);
        for (size_t d = 0; d < rank; ++d) {
          src[d] = NearestIndex(rounding,
                                SourceCoordinate(coord, o[d], scales[d], shape[d], sizes[d]),
                                shape[d]);
        }
        Store(*out, i, Load(in[0], BroadcastIndex(src, shape)));
        return;
      }
      // Linear: the weighted sum over the 2^rank corners of the cell.
      std::vector<int64_t> lo(rank), hi(rank);
      std::vector<double> frac(rank);
      for (size_t d = 0; d < rank; ++d) {
        double x = SourceCoordinate(coord, o[d], scales[d], shape[d], sizes[d]);
        x = std::clamp(x, 0.0, static_cast<double>(shape[d] - 1));
        lo[d] = static_cast<int64_t>(std::floor(x));
        hi[d] = std::min(lo[d] + 1, shape[d] - 1);
        frac[d] = x - lo[d];
      }
      double sum = 0;
      std::vector<int64_t> src(rank);
      for (uint64_t corner = 0; corner < (uint64_t{1} << rank); ++corner) {
        double weight = 1;
        for (size_t d = 0; d < rank; ++d) {
          const bool upper = (corner >> d) & 1;
          src[d] = upper ? hi[d] : lo[d];
          weight *= upper ? frac[d] : 1 - frac[d];
        }
        if (weight != 0) sum += weight * Load(in[0], BroadcastIndex(src, shape));
      }
      Store(*out, i, sum);
    });
    return std::vector<NDArray>{*out};
  };
  // Resizing H and W only, channel c of NCHW[b]c's (c / b, c % b) comes from
  // the same place, so the blocked tensor resizes as it is. Not with
  // tf_half_pixel_for_nn, whose coordinates shift an axis even at scale 1.
  def.to_nchwc = [](const Node& n, const Types& plain, int64_t block) -> std::optional<Node> {
    auto a = ResizeAttrs::Read(n);
    if (!a.ok() || plain.size() != 1 || !plain[0] || plain[0]->shape.size() != 4 ||
        a->sizes.size() != 4 || a->scales.size() != 4 ||
        a->coordinate_mode == "tf_half_pixel_for_nn" || plain[0]->shape[1] % block != 0) {
      return std::nullopt;
    }
    for (int d : {0, 1}) {
      if (a->sizes[d] != plain[0]->shape[d] || a->scales[d] != 1.0) return std::nullopt;
    }
    a->sizes = {a->sizes[0], a->sizes[1] / block, a->sizes[2], a->sizes[3], block};
    a->scales = {1.0, 1.0, a->scales[2], a->scales[3], 1.0};
    Node blocked = n;
    a->Write(blocked);
    return blocked;
  };
  return def;
}

}  // namespace

KILN_REGISTER(OpRegistry(), "conv_transpose", "2-D transposed convolution (groups, dilation)",
              ConvTranspose());
KILN_REGISTER(OpRegistry(), "resize", "nearest or linear resize, ONNX coordinate modes",
              Resize());

}  // namespace kiln::graph::ops

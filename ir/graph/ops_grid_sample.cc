// grid_sample: an NCHW image X [N, C, H, W] sampled at the points of a grid
// [N, Ho, Wo, 2] of (x, y) in [-1, 1], giving [N, C, Ho, Wo] (ONNX
// GridSample in 2-D; the arithmetic follows ONNX Runtime's kernel).
#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "ir/graph/attrs_grid_sample.h"
#include "ir/graph/op_registry.h"
#include "ir/graph/ops_common.h"

namespace kiln::graph::ops {
namespace {

using Attrs = GridSampleAttrs;

// A grid value in [-1, 1] as a pixel coordinate along an axis of `size`.
double Denormalize(double v, int64_t size, bool align_corners) {
  return align_corners ? (v + 1) / 2 * (size - 1) : ((v + 1) * size - 1) / 2;
}

// x reflected into [lo, hi] as often as it takes (lo itself for a
// single-pixel axis with align_corners).
double Reflect(double x, double lo, double hi) {
  const double range = hi - lo;
  if (range == 0) return lo;
  if (x < lo) {
    const double dx = lo - x;
    const int64_t n = static_cast<int64_t>(dx / range);
    const double r = dx - n * range;
    return n % 2 == 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const double dx = x - hi;
    const int64_t n = static_cast<int64_t>(dx / range);
    const double r = dx - n * range;
    return n % 2 == 0 ? hi - r : lo + r;
  }
  return x;
}

// Keys' cubic convolution weights (a = -0.75) of the four taps around a
// point at fraction t past the second tap.
void CubicWeights(double t, double w[4]) {
  const double a = -0.75;
  const double x = std::fabs(t);
  w[0] = ((a * (x + 1) - 5 * a) * (x + 1) + 8 * a) * (x + 1) - 4 * a;
  w[1] = ((a + 2) * x - (a + 3)) * x * x + 1;
  w[2] = ((a + 2) * (1 - x) - (a + 3)) * (1 - x) * (1 - x) + 1;
  w[3] = ((a * (2 - x) - 5 * a) * (2 - x) + 8 * a) * (2 - x) - 4 * a;
}

OpDef GridSample() {
  OpDef def;
  def.pattern = OpPattern::kOpaque;
  def.infer = [](const Node& n, const std::vector<const TensorType*>& in)
      -> absl::StatusOr<std::vector<TensorType>> {
    if (auto st = ExpectInputs(in, 2, 2); !st.ok()) return st;
    if (auto a = Attrs::Read(n); !a.ok()) return a.status();
    const auto& x = in[0]->shape;
    const auto& g = in[1]->shape;
    if (in[0]->dtype != DType::kFloat32 || in[1]->dtype != DType::kFloat32) {
      return absl::UnimplementedError("grid_sample of other types than float32");
    }
    if (x.size() != 4) {
      return absl::UnimplementedError(absl::StrCat("grid_sample of a rank-", x.size(),
                                                   " input; only 2-D images (NCHW)"));
    }
    if (g.size() != 4 || g[0] != x[0] || g[3] != 2) {
      return absl::InvalidArgumentError(absl::StrCat("grid ", runtime::ShapeToString(g),
                                                     " for input ", runtime::ShapeToString(x),
                                                     "; expected [", x[0], ", Ho, Wo, 2]"));
    }
    return std::vector<TensorType>{{DType::kFloat32, {x[0], x[1], g[1], g[2]}}};
  };
  def.evaluate = [](const Node& n, const std::vector<NDArray>& in)
      -> absl::StatusOr<std::vector<NDArray>> {
    auto attrs = Attrs::Read(n);
    if (!attrs.ok()) return attrs.status();
    const auto& xs = in[0].shape();
    const auto& gs = in[1].shape();
    const int64_t batch = xs[0], channels = xs[1], h = xs[2], w = xs[3], oh = gs[1], ow = gs[2];
    auto out = Allocate({DType::kFloat32, {batch, channels, oh, ow}});
    if (!out.ok()) return out.status();
    const bool align = attrs->align_corners;
    const double x_min = align ? 0 : -0.5, x_max = align ? w - 1 : w - 0.5;
    const double y_min = align ? 0 : -0.5, y_max = align ? h - 1 : h - 0.5;
    const float* grid = in[1].data<float>();
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t c = 0; c < channels; ++c) {
        const float* image = in[0].data<float>() + (b * channels + c) * h * w;
        auto pixel = [&](int64_t r, int64_t col) -> double {
          switch (attrs->padding) {
            case Attrs::Padding::kZeros:
              return r >= 0 && r < h && col >= 0 && col < w ? image[r * w + col] : 0.0;
            case Attrs::Padding::kBorder:
              return image[std::clamp<int64_t>(r, 0, h - 1) * w + std::clamp<int64_t>(col, 0, w - 1)];
            case Attrs::Padding::kReflection: {
              const int64_t rr = static_cast<int64_t>(Reflect(static_cast<double>(r), y_min, y_max));
              const int64_t cc = static_cast<int64_t>(Reflect(static_cast<double>(col), x_min, x_max));
              return image[std::clamp<int64_t>(rr, 0, h - 1) * w + std::clamp<int64_t>(cc, 0, w - 1)];
            }
          }
          return 0.0;
        };
        for (int64_t i = 0; i < oh; ++i)
          for (int64_t j = 0; j < ow; ++j) {
            const float* point = grid + ((b * oh + i) * ow + j) * 2;
            double x = Denormalize(point[0], w, align), y = Denormalize(point[1], h, align);
            if (attrs->mode == Attrs::Mode::kNearest) {
              x = std::nearbyint(x);
              y = std::nearbyint(y);
            }
            if (x < x_min || x > x_max || y < y_min || y > y_max) {
              if (attrs->padding == Attrs::Padding::kBorder) {
                x = std::clamp<double>(x, 0, w - 1);
                y = std::clamp<double>(y, 0, h - 1);
              } else if (attrs->padding == Attrs::Padding::kReflection) {
                x = Reflect(x, x_min, x_max);
                y = Reflect(y, y_min, y_max);
              }
            }
            double v = 0;
            if (attrs->mode == Attrs::Mode::kNearest) {
              v = pixel(static_cast<int64_t>(y), static_cast<int64_t>(x));
            } else if (attrs->mode == Attrs::Mode::kLinear) {
              const int64_t x1 = static_cast<int64_t>(std::floor(x));
              const int64_t y1 = static_cast<int64_t>(std::floor(y));
              const double dx = x - x1, dy = y - y1;
              v = (1 - dy) * ((1 - dx) * pixel(y1, x1) + dx * pixel(y1, x1 + 1)) +
                  dy * ((1 - dx) * pixel(y1 + 1, x1) + dx * pixel(y1 + 1, x1 + 1));
            } else {
              const int64_t x0 = static_cast<int64_t>(std::floor(x)) - 1;
              const int64_t y0 = static_cast<int64_t>(std::floor(y)) - 1;
              double wx[4], wy[4];
              CubicWeights(x - x0 - 1, wx);
              CubicWeights(y - y0 - 1, wy);
              for (int r = 0; r < 4; ++r) {
                double row = 0;
                for (int k = 0; k < 4; ++k) row += wx[k] * pixel(y0 + r, x0 + k);
                v += wy[r] * row;
              }
            }
            out->data<float>()[((b * channels + c) * oh + i) * ow + j] = static_cast<float>(v);
          }
      }
    return std::vector<NDArray>{*out};
  };
  return def;
}

KILN_REGISTER(OpRegistry(), "grid_sample", "an NCHW image sampled at the points of a grid",
              GridSample());

}  // namespace
}  // namespace kiln::graph::ops

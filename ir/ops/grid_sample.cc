#include "ir/ops/grid_sample.h"

#include "absl/strings/str_cat.h"
#include "ir/lower/lower.h"
#include "ir/ops/default_schedule.h"
#include "ir/schedule.h"
#include "ir/tensor.h"

namespace kiln::ir::ops {
namespace {

using Attrs = graph::GridSampleAttrs;

Expr Float(Expr i) { return Cast(DataType::Float32(), i); }
Expr ToInt(Expr x) { return Cast(DataType::Int64(), x); }  // truncates, as a C++ cast
Expr FloorToInt(Expr x) { return ToInt(Call(Intrinsic::kFloor, {x})); }
Expr Clamp(Expr i, int64_t size) { return Max(Min(i, Expr(size - 1)), Expr(int64_t{0})); }

// The bounds grid points map into along an axis of `size`: pixel centers
// with align_corners, pixel edges without.
struct Range {
  float lo, hi;
};
Range Bounds(int64_t size, bool align_corners) {
  return align_corners ? Range{0.0f, static_cast<float>(size - 1)}
                       : Range{-0.5f, static_cast<float>(size) - 0.5f};
}

// x reflected into [lo, hi] as often as it takes (as the reference does).
Expr Reflect(Expr x, Range b) {
  const float range = b.hi - b.lo;
  if (range == 0) return Expr(b.lo);
  auto fold = [&](Expr dx, float start, float other_end, float sign) {
    const Expr n = Call(Intrinsic::kFloor, {dx / Expr(range)});
    const Expr r = dx - n * range;
    const Expr half = n * 0.5f;
    const Expr even = Call(Intrinsic::kFloor, {half}) == half;
    return Select(even, Expr(start) + r * sign, Expr(other_end) - r * sign);
  };
  const Expr below = fold(Expr(b.lo) - x, b.lo, b.hi, 1.0f);
  const Expr above = fold(x - b.hi, b.hi, b.lo, -1.0f);
  return Select(x < b.lo, below, Select(x > b.hi, above, x));
}

// Keys' cubic weights (a = -0.75) of the four taps around fraction t.
std::vector<Expr> CubicWeights(Expr t) {
  const float a = -0.75f;
  const Expr x = Call(Intrinsic::kAbs, {t});
  const Expr x1 = x + 1.0f, y = Expr(1.0f) - x, y1 = Expr(2.0f) - x;
  return {((x1 * a - 5 * a) * x1 + 8 * a) * x1 - 4 * a,
          ((x * (a + 2)) - (a + 3)) * x * x + 1.0f,
          ((y * (a + 2)) - (a + 3)) * y * y + 1.0f,
          ((y1 * a - 5 * a) * y1 + 8 * a) * y1 - 4 * a};
}

}  // namespace

absl::StatusOr<LoweredFunc> BuildGridSample(const std::vector<int64_t>& x_shape,
                                            const std::vector<int64_t>& grid_shape,
                                            const Attrs& attrs, const targets::Target& target,
                                            const std::string& name) {
  if (x_shape.size() != 4 || grid_shape.size() != 4 || grid_shape[0] != x_shape[0] ||
      grid_shape[3] != 2) {
    return absl::InvalidArgumentError("grid_sample takes x [N, C, H, W] and grid [N, Ho, Wo, 2]");
  }
  const int64_t h = x_shape[2], w = x_shape[3];
  const Range bx = Bounds(w, attrs.align_corners), by = Bounds(h, attrs.align_corners);
  Tensor x = Placeholder("x", x_shape);
  Tensor grid = Placeholder("grid", grid_shape);
  auto denormalize = [&](Expr v, int64_t size) {
    return attrs.align_corners ? (v + 1.0f) * (0.5f * (size - 1))
                               : ((v + 1.0f) * static_cast<float>(size) - 1.0f) * 0.5f;
  };
  Tensor out = Compute("out", {x_shape[0], x_shape[1], grid_shape[1], grid_shape[2]},
                       [&](const std::vector<Var>& i) {
    auto pixel = [&](Expr r, Expr c) -> Expr {
      switch (attrs.padding) {
        case Attrs::Padding::kZeros:
          return Select(And(And(r >= int64_t{0}, r < Expr(h)), And(c >= int64_t{0}, c < Expr(w))),
                        Read(x, {i[0], i[1], Clamp(r, h), Clamp(c, w)}), Expr(0.0f));
        case Attrs::Padding::kBorder:
          return Read(x, {i[0], i[1], Clamp(r, h), Clamp(c, w)});
        case Attrs::Padding::kReflection:
          return Read(x, {i[0], i[1], Clamp(ToInt(Reflect(Float(r), by)), h),
                          Clamp(ToInt(Reflect(Float(c), bx)), w)});
      }
      return Expr();
    };
    Expr px = denormalize(Read(grid, {i[0], i[2], i[3], int64_t{0}}), w);
    Expr py = denormalize(Read(grid, {i[0], i[2], i[3], int64_t{1}}), h);
    if (attrs.mode == Attrs::Mode::kNearest) {
      px = Call(Intrinsic::kRound, {px});
      py = Call(Intrinsic::kRound, {py});
    }
    // Points outside the bounds move in first (pixels outside are then
    // padded as well).
    if (attrs.padding != Attrs::Padding::kZeros) {
      const Expr outside = Or(Or(px < bx.lo, px > bx.hi), Or(py < by.lo, py > by.hi));
      Expr mx, my;
      if (attrs.padding == Attrs::Padding::kBorder) {
        mx = Max(Min(px, Expr(static_cast<float>(w - 1))), Expr(0.0f));
        my = Max(Min(py, Expr(static_cast<float>(h - 1))), Expr(0.0f));
      } else {
        mx = Reflect(px, bx);
        my = Reflect(py, by);
      }
      px = Select(outside, mx, px);
      py = Select(outside, my, py);
    }
    if (attrs.mode == Attrs::Mode::kNearest) return pixel(ToInt(py), ToInt(px));
    const Expr x0 = FloorToInt(px), y0 = FloorToInt(py);
    const Expr dx = px - Float(x0), dy = py - Float(y0);
    if (attrs.mode == Attrs::Mode::kLinear) {
      const Expr one = int64_t{1};
      return (Expr(1.0f) - dy) * ((Expr(1.0f) - dx) * pixel(y0, x0) + dx * pixel(y0, x0 + one)) +
             dy * ((Expr(1.0f) - dx) * pixel(y0 + one, x0) + dx * pixel(y0 + one, x0 + one));
    }
    const std::vector<Expr> wx = CubicWeights(dx), wy = CubicWeights(dy);
    Expr sum;
    for (int64_t r = 0; r < 4; ++r) {
      Expr row;
      for (int64_t k = 0; k < 4; ++k) {
        const Expr term = wx[k] * pixel(y0 + (r - 1), x0 + (k - 1));
        row = row.defined() ? row + term : term;
      }
      sum = sum.defined() ? sum + wy[r] * row : wy[r] * row;
    }
    return sum;
  });
  Schedule s({out});
  ScheduleRowsAndVectors(s[out], target.vector_lanes);
  return Lower(s, {x, grid, out}, name);
}

}  // namespace kiln::ir::ops

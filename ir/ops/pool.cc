#include "ir/ops/pool.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "ir/lower/lower.h"
#include "ir/ops/window.h"
#include "ir/schedule.h"
#include "ir/tensor.h"

namespace kiln::ir::ops {
namespace {

// Vectorize the channel block, parallelize batch x chunk x rows.
void ScheduleRows(Stage& st, int64_t block) {
  Axis rows = st.Fuse(st.Fuse(st.axis(0), st.axis(1)), st.axis(2));
  st.Parallel(rows);
  if (block > 1) st.Vectorize(st.axis(4));
}

}  // namespace

int64_t Pool2dWorkload::out_height() const {
  return WindowOutputSize(height, kernel_h, stride_h, 1, pad_top, pad_bottom, ceil_mode);
}
int64_t Pool2dWorkload::out_width() const {
  return WindowOutputSize(width, kernel_w, stride_w, 1, pad_left, pad_right, ceil_mode);
}

absl::StatusOr<LoweredFunc> BuildPool2d(const Pool2dWorkload& w, const targets::Target&,
                                        const std::string& name) {
  if (w.batch < 1 || w.channel_chunks < 1 || w.height < 1 || w.width < 1 || w.block < 1 ||
      w.kernel_h < 1 || w.kernel_w < 1 || w.stride_h < 1 || w.stride_w < 1 || w.pad_top < 0 ||
      w.pad_left < 0 || w.pad_bottom < 0 || w.pad_right < 0) {
    return absl::InvalidArgumentError("pool2d sizes must be positive and pads non-negative");
  }
  if (w.pad_top >= w.kernel_h || w.pad_left >= w.kernel_w || w.pad_bottom >= w.kernel_h ||
      w.pad_right >= w.kernel_w) {
    return absl::InvalidArgumentError("pool2d padding must be smaller than the window");
  }
  const int64_t oh = w.out_height(), ow = w.out_width();
  if (oh < 1 || ow < 1) return absl::InvalidArgumentError("pool2d output is empty");
  Tensor data = Placeholder("data", {w.batch, w.channel_chunks, w.height, w.width, w.block});
  IterVar ry = ReduceAxis(w.kernel_h, "ky"), rx = ReduceAxis(w.kernel_w, "kx");
  auto window = [&](const std::vector<Var>& i, Expr* y, Expr* x, Expr* inside) {
    *y = Expr(i[2]) * w.stride_h + ry->var - w.pad_top;
    *x = Expr(i[3]) * w.stride_w + rx->var - w.pad_left;
    *inside = And(And(*y >= 0, *y < w.height), And(*x >= 0, *x < w.width));
  };
  auto clamped_read = [&](const std::vector<Var>& i, const Expr& y, const Expr& x) {
    return Read(data, {i[0], i[1], Max(Min(y, w.height - 1), 0), Max(Min(x, w.width - 1), 0),
                       i[4]});
  };
  const std::vector<std::string> names = {"n", "c.chunk", "oh", "ow", "c.block"};
  Tensor out, sum;
  if (w.kind == PoolKind::kMax) {
    out = Compute("out", {w.batch, w.channel_chunks, oh, ow, w.block},
                  [&](const std::vector<Var>& i) {
                    Expr y, x, inside;
                    window(i, &y, &x, &inside);
                    return MaxOf(clamped_read(i, y, x), {ry, rx}, inside);
                  },
                  names);
  } else {
    sum = Compute("sum", {w.batch, w.channel_chunks, oh, ow, w.block},
                  [&](const std::vector<Var>& i) {
                    Expr y, x, inside;
                    window(i, &y, &x, &inside);
                    return Sum(clamped_read(i, y, x), {ry, rx}, inside);
                  },
                  names);
    out = Compute("out", {w.batch, w.channel_chunks, oh, ow, w.block},
                  [&](const std::vector<Var>& i) {
                    // The divisor: the window clipped to the padded
                    // (count_include_pad) or the unpadded input.
                    Expr y0 = Expr(i[2]) * w.stride_h - w.pad_top;
                    Expr x0 = Expr(i[3]) * w.stride_w - w.pad_left;
                    Expr lo_y = w.count_include_pad ? Max(y0, -w.pad_top) : Max(y0, 0);
                    Expr lo_x = w.count_include_pad ? Max(x0, -w.pad_left) : Max(x0, 0);
                    Expr hi_y = Min(y0 + w.kernel_h,
                                    w.count_include_pad ? w.height + w.pad_bottom : w.height);
                    Expr hi_x = Min(x0 + w.kernel_w,
                                    w.count_include_pad ? w.width + w.pad_right : w.width);
                    Expr count = Cast(DataType::Float32(), (hi_y - lo_y) * (hi_x - lo_x));
                    return Read(sum, {i[0], i[1], i[2], i[3], i[4]}) / count;
                  },
                  names);
  }
  Schedule schedule({out});
  Stage& o = schedule[out];
  ScheduleRows(o, w.block);
  if (sum) {
    Stage& st = schedule[sum];
    st.ComputeAt(o, o.leaf_axes()[1]);
    st.Reorder({st.axis(0), st.axis(1), st.axis(2), st.axis(3), st.reduce_axis(0),
                st.reduce_axis(1), st.axis(4)});
    if (w.block > 1) st.Vectorize(st.axis(4));
  }
  return Lower(schedule, {data, out}, name);
}

}  // namespace kiln::ir::ops

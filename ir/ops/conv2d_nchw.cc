#include "ir/ops/conv2d_nchw.h"

#include "absl/strings/str_cat.h"
#include "ir/lower/lower.h"
#include "ir/ops/default_schedule.h"
#include "ir/schedule.h"
#include "ir/tensor.h"

namespace kiln::ir::ops {
namespace {

// data(n, c, y, x) with zeros outside [0, H) x [0, W), as a select whose
// load address is clamped so that it never leaves the buffer.
Expr PaddedRead(const Tensor& data, std::vector<Expr> idx, int64_t h, int64_t w) {
  Expr y = idx[2], x = idx[3];
  Expr inside = And(And(y >= 0, y < h), And(x >= 0, x < w));
  idx[2] = Max(Min(y, h - 1), 0);
  idx[3] = Max(Min(x, w - 1), 0);
  return Select(inside, Read(data, idx), Expr(0.0f));
}

Expr Epilogue(Expr v, const Conv2dWorkload& w, const Tensor& bias, const Expr& channel) {
  if (bias) v = v + Read(bias, {channel});
  v = w.activation.Apply(v);
  return v;
}

}  // namespace

absl::StatusOr<LoweredFunc> BuildConv2dNCHW(const Conv2dWorkload& w, int64_t groups,
                                            const targets::Target& target,
                                            const std::string& name) {
  if (auto st = ValidateConv2d(w); !st.ok()) return st;
  if (groups < 1 || w.in_channels % groups != 0 || w.out_channels % groups != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        w.ToString(), " with ", groups, " groups: both channel counts must divide by the "
        "group count"));
  }
  const int64_t icg = w.in_channels / groups, ocg = w.out_channels / groups;
  Tensor data = Placeholder("data", {w.batch, w.in_channels, w.height, w.width});
  Tensor weight = Placeholder("weight", {w.out_channels, icg, w.kernel_h, w.kernel_w});
  Tensor bias = w.bias ? Placeholder("bias", {w.out_channels}) : nullptr;
  IterVar rc = ReduceAxis(icg, "rc"), ry = ReduceAxis(w.kernel_h, "ry"),
          rx = ReduceAxis(w.kernel_w, "rx");
  Tensor conv = Compute(
      "conv", {w.batch, w.out_channels, w.out_height(), w.out_width()},
      [&](const std::vector<Var>& i) {
        Expr channel = FloorDiv(i[1], ocg) * icg + rc->var;
        Expr y = Expr(i[2]) * w.stride_h + Expr(ry->var) * w.dilation_h - w.pad_h;
        Expr x = Expr(i[3]) * w.stride_w + Expr(rx->var) * w.dilation_w - w.pad_w;
        return Sum(PaddedRead(data, {i[0], channel, y, x}, w.height, w.width) *
                       Read(weight, {i[1], rc->var, ry->var, rx->var}),
                   {rc, ry, rx});
      },
      {"n", "oc", "oh", "ow"});
  Tensor out = Compute("out", {w.batch, w.out_channels, w.out_height(), w.out_width()},
                       [&](const std::vector<Var>& i) {
                         return Epilogue(Read(conv, {i[0], i[1], i[2], i[3]}), w, bias, i[1]);
                       },
                       {"n", "oc", "oh", "ow"});
  Schedule s({out});
  Stage& o = s[out];
  ScheduleRowsAndVectors(o, target.vector_lanes);
  Stage& c = s[conv];
  c.ComputeAt(o, o.leaf_axes()[1]);
  c.Reorder({c.axis(0), c.axis(1), c.axis(2), c.reduce_axis(0), c.reduce_axis(1),
             c.reduce_axis(2), c.axis(3)});
  c.Vectorize(c.axis(3));
  std::vector<Tensor> args = {data, weight};
  if (bias) args.push_back(bias);
  args.push_back(out);
  return Lower(s, args, name);
}

absl::StatusOr<LoweredFunc> BuildConv2dTranspose(const Conv2dTransposeWorkload& w,
                                                 const targets::Target&,
                                                 const std::string& name) {
  if (w.batch < 1 || w.in_channels < 1 || w.height < 1 || w.width < 1 || w.out_channels < 1 ||
      w.kernel_h < 1 || w.kernel_w < 1 || w.stride_h < 1 || w.stride_w < 1 || w.pad_h < 0 ||
      w.pad_w < 0 || w.output_pad_h < 0 || w.output_pad_w < 0 || w.out_height() < 1 ||
      w.out_width() < 1) {
    return absl::InvalidArgumentError("conv2d_transpose: invalid sizes, strides or padding");
  }
  Tensor data = Placeholder("data", {w.batch, w.in_channels, w.height, w.width});
  Tensor weight = Placeholder("weight", {w.in_channels, w.out_channels, w.kernel_h, w.kernel_w});
  IterVar rc = ReduceAxis(w.in_channels, "rc"), ry = ReduceAxis(w.kernel_h, "ry"),
          rx = ReduceAxis(w.kernel_w, "rx");
  // Output pixel y receives input pixel (y + pad - ky) / stride when that
  // division is exact and lands inside the input.
  Tensor out = Compute(
      "out", {w.batch, w.out_channels, w.out_height(), w.out_width()},
      [&](const std::vector<Var>& i) {
        Expr ty = Expr(i[2]) + w.pad_h - ry->var, tx = Expr(i[3]) + w.pad_w - rx->var;
        Expr y = FloorDiv(ty, w.stride_h), x = FloorDiv(tx, w.stride_w);
        Expr hit = And(And(FloorMod(ty, w.stride_h) == 0, FloorMod(tx, w.stride_w) == 0),
                       And(And(y >= 0, y < w.height), And(x >= 0, x < w.width)));
        Expr v = Read(data, {i[0], rc->var, Max(Min(y, w.height - 1), 0),
                             Max(Min(x, w.width - 1), 0)});
        return Sum(Select(hit, v, Expr(0.0f)) * Read(weight, {rc->var, i[1], ry->var, rx->var}),
                   {rc, ry, rx});
      },
      {"n", "oc", "oh", "ow"});
  Schedule s({out});
  Stage& o = s[out];
  o.Parallel(o.Fuse(o.Fuse(o.axis(0), o.axis(1)), o.axis(2)));
  return Lower(s, {data, weight, out}, name);
}

}  // namespace kiln::ir::ops

#include "ir/ops/conv2d_depthwise_nchwc.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "ir/lower/lower.h"
#include "ir/ops/divisors.h"
#include "ir/schedule.h"
#include "ir/tensor.h"

namespace kiln::ir::ops {

int64_t DepthwiseBlock(int64_t channels, const targets::Target& target) {
  return LargestDivisorAtMost(channels, target.vector_lanes);
}

std::vector<float> PackDepthwiseWeight(const float* oihw, int64_t channels, int64_t kernel_h,
                                       int64_t kernel_w, int64_t block) {
  std::vector<float> packed(channels * kernel_h * kernel_w);
  for (int64_t c = 0; c < channels; ++c) {
    for (int64_t y = 0; y < kernel_h; ++y) {
      for (int64_t x = 0; x < kernel_w; ++x) {
        packed[(((c / block) * kernel_h + y) * kernel_w + x) * block + c % block] =
            oihw[(c * kernel_h + y) * kernel_w + x];
      }
    }
  }
  return packed;
}

DepthwiseConfig DefaultDepthwiseConfig(const Conv2dWorkload& w, int64_t block,
                                       const targets::Target& target) {
  const int64_t vectors = (block + target.vector_lanes - 1) / target.vector_lanes;
  const int64_t tile = target.vector_registers / 2 / vectors;
  return {std::min<int64_t>(w.out_width(), std::max<int64_t>(1, tile))};
}

absl::StatusOr<LoweredFunc> BuildDepthwiseConv2dNCHWc(const Conv2dWorkload& w, int64_t block,
                                                      const DepthwiseConfig& config,
                                                      const std::string& name,
                                                      const PostOps& post) {
  if (auto st = ValidateConv2d(w); !st.ok()) return st;
  if (w.in_channels != w.out_channels || block < 1 || w.in_channels % block != 0 ||
      config.tile_ow < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "depthwise ", w.ToString(), " with block ", block, " and tile_ow ", config.tile_ow,
        ": needs as many output as input channels, divisible by the block, and a positive "
        "tile"));
  }
  const int64_t cc = w.in_channels / block, oh = w.out_height(), ow = w.out_width();
  Tensor data = Placeholder("data", {w.batch, cc, w.height, w.width, block});
  Tensor weight = Placeholder("weight", {cc, w.kernel_h, w.kernel_w, block});
  Tensor bias = w.bias ? Placeholder("bias", {w.in_channels}) : nullptr;
  Tensor residual =
      w.residual ? Placeholder("residual", {w.batch, cc, oh, ow, block}) : nullptr;
  // The zero-padded input, inlined or staged by rows (see below).
  Tensor input = w.pad_h > 0 || w.pad_w > 0
                     ? ZeroPaddedNCHWc(data, w, w.height + 2 * w.pad_h, w.width + 2 * w.pad_w)
                     : data;
  IterVar ry = ReduceAxis(w.kernel_h, "ky"), rx = ReduceAxis(w.kernel_w, "kx");
  Tensor conv = Compute(
      "conv", {w.batch, cc, oh, ow, block},
      [&](const std::vector<Var>& i) {
        Expr y = Expr(i[2]) * w.stride_h + Expr(ry->var) * w.dilation_h;
        Expr x = Expr(i[3]) * w.stride_w + Expr(rx->var) * w.dilation_w;
        return Sum(Read(input, {i[0], i[1], y, x, i[4]}) *
                       Read(weight, {i[1], ry->var, rx->var, i[4]}),
                   {ry, rx});
      },
      {"n", "c.chunk", "oh", "ow", "c.block"});
  Tensor out = Compute(
      "out", {w.batch, cc, oh, ow, block},
      [&](const std::vector<Var>& i) {
        return Conv2dEpilogue(w, block, bias, residual, post, i,
                              Read(conv, {i[0], i[1], i[2], i[3], i[4]}));
      },
      {"n", "c.chunk", "oh", "ow", "c.block"});
  Schedule s({out});
  Stage& o = s[out];
  // Rows of images in parallel, all channels of a row together, as the
  // neighbouring convolutions split them: each thread then reads the rows
  // it wrote in the previous kernel from its own core's cache. Split by
  // channel blocks, a thread would read half of them from the other core
  // (MobileNetV2 at 2 threads: 3.19 -> 3.10 ms).
  const Axis batch = o.axis(0), chunk = o.axis(1), row = o.axis(2);
  o.Reorder({batch, row, chunk, o.axis(3), o.axis(4)});
  Axis rows = o.Fuse(o.Fuse(batch, row), chunk);
  o.Parallel(rows);
  o.Vectorize(o.axis(4));
  // One output row accumulates in a row buffer, a tile of pixels x one
  // channel vector in registers while the kernel window is walked.
  Stage& c = s[conv];
  c.ComputeAt(o, rows);
  auto [owo, owi] = c.Split(c.axis(3), config.tile_ow);
  c.Reorder({c.axis(0), c.axis(1), c.axis(2), owo, c.reduce_axis(0), c.reduce_axis(1), owi,
             c.axis(4)});
  c.Unroll(owi);
  c.Vectorize(c.axis(4));
  // Padding the whole input first would pass it through memory twice.
  // At stride 1 the window reads the input where it is, the padding a
  // select that loop partitioning leaves at the borders only: staging
  // kernel_h rows per output row copied each input row kernel_h times
  // (a 5x5 layer at 28x28, 240 channels: 0.18 -> 0.055 ms; MobileNetV2
  // 3.77 -> 3.66 ms at one thread, 3.05 -> 2.91 ms at two). Strided windows
  // still read a staged copy of the rows one output row needs, which was
  // faster there (96 channels at 112x112, stride 2: 0.22 against 0.28 ms).
  if (input != data && (w.stride_h > 1 || w.stride_w > 1)) {
    Stage& p = s[input];
    p.ComputeAt(c, c.axis(2));
    p.Vectorize(p.axis(4));
  } else if (input != data) {
    s[input].ComputeInline();
  }
  std::vector<Tensor> args = {data, weight};
  if (bias) args.push_back(bias);
  if (residual) args.push_back(residual);
  args.insert(args.end(), post.operands().begin(), post.operands().end());
  args.push_back(out);
  return Lower(s, args, name);
}

}  // namespace kiln::ir::ops

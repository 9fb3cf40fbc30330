#include "ir/ops/conv2d_nchwc.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ir/lower/lower.h"
#include "ir/ops/conv2d_winograd.h"
#include "ir/ops/default_schedule.h"
#include "ir/ops/divisors.h"
#include "ir/schedule.h"
#include "ir/tensor.h"

namespace kiln::ir::ops {
std::string Conv2dWorkload::ToString() const {
  return absl::StrCat("conv2d(n=", batch, ", ic=", in_channels, ", ", height, "x", width,
                      ", oc=", out_channels, ", k=", kernel_h, "x", kernel_w, ", s=", stride_h,
                      "x", stride_w, ", p=", pad_h, "x", pad_w, ", d=", dilation_h, "x",
                      dilation_w, bias ? ", bias" : "",
                      activation == Activation::kRelu ? ", relu"
                      : activation.is_none()          ? ""
                                                      : absl::StrCat(", clip [", activation.lo,
                                                                     ", ", activation.hi, "]"),
                      residual ? ", residual" : "", ")");
}

absl::Status ValidateConv2d(const Conv2dWorkload& w) {
  if (w.batch < 1 || w.in_channels < 1 || w.height < 1 || w.width < 1 || w.out_channels < 1 ||
      w.kernel_h < 1 || w.kernel_w < 1 || w.stride_h < 1 || w.stride_w < 1 || w.pad_h < 0 ||
      w.pad_w < 0 || w.dilation_h < 1 || w.dilation_w < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid ", w.ToString(), ": sizes, strides and dilations must be positive and "
        "padding non-negative"));
  }
  if (w.out_height() < 1 || w.out_width() < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(w.ToString(), " has an empty output: the kernel is larger than the "
                                   "padded input"));
  }
  return absl::OkStatus();
}

bool AccumulatesWholeOutput(const Conv2dWorkload& w) {
  return w.out_height() * w.out_width() <= 64;
}

int64_t SegmentPixels(const targets::Target& target, int64_t oc_bn) {
  return std::max<int64_t>(1, target.l1d_bytes / 4 / (oc_bn * 4));
}

Conv2dNCHWcConfig DefaultDirectConv2dNCHWcConfig(const Conv2dWorkload& w,
                                                 const targets::Target& target,
                                                 const Conv2dBlocks* fixed) {
  Conv2dNCHWcConfig c;
  const int64_t lanes = target.vector_lanes;
  c.ic_bn = fixed ? fixed->ic_bn : LargestDivisorAtMost(w.in_channels, lanes);
  c.oc_bn = fixed ? fixed->oc_bn : LargestDivisorAtMost(w.out_channels, lanes);
  c.tile_ow = 1;
  // The register tile: tile_ow pixels x `vectors` output-channel vectors of
  // accumulators. Per input channel it loads tile_ow broadcasts and `vectors`
  // weight vectors for tile_ow * vectors FMAs, so wider tiles use the load
  // ports better; it needs at least ~8 independent accumulators to cover the
  // FMA latency; and accumulators, weights and one broadcast must fit the
  // registers. A width that does not divide the row leaves a last tile
  // that computes past its end (lowering splits it off, so only that tile
  // pays for guards): the score counts the slots it wastes, so a prime row
  // (199) takes a wide tile with a ragged end rather than one pixel. Output
  // channels that no whole vector divides (24 on 16 lanes) take one partial
  // vector per block, tiled the same way.
  const int64_t ow = w.out_width();
  std::vector<std::pair<int64_t, int64_t>> blocks;  // (oc_bn, vectors per block)
  for (int64_t vectors : {2, 1}) {
    if (!fixed && w.out_channels % (vectors * lanes) == 0) {
      blocks.push_back({vectors * lanes, vectors});
    }
  }
  if (blocks.empty()) blocks.push_back({c.oc_bn, std::max<int64_t>(1, c.oc_bn / lanes)});
  double best = -1;
  for (const auto& [block, vectors] : blocks) {
    for (int64_t r = 1; r <= ow; ++r) {
      if (r * vectors + vectors + 1 > target.vector_registers) continue;
      const double accumulators = static_cast<double>(r * vectors);
      const double used = static_cast<double>(ow) / (((ow + r - 1) / r) * r);
      const double score =
          std::min(accumulators, 8.0) / 8.0 * accumulators / (r + vectors) * used;
      if (score > best) {
        best = score;
        c.oc_bn = block;
        c.tile_ow = r;
      }
    }
  }
  // Unrolling kw lets LLVM share input loads across kernel columns, which
  // costs more registers than the tile can spare.
  c.unroll_kw = false;
  if (AccumulatesWholeOutput(w)) return c;  // no groups or segments there
  // A single output row (a 1-D convolution) is computed in segments (see
  // Conv2dNCHWcConfig::segment), which do not group channel blocks.
  if (w.out_height() == 1) {
    c.segment = SegmentPixels(target, c.oc_bn);
    return c;
  }
  // The group of channel blocks by what it would re-read from beyond L2:
  // each group streams the whole input once (unless the input fits in half
  // of L2) and its weights once (if they fit there too, else once per row).
  // One block per group is channel blocks outermost, all of them is rows
  // outermost; on a tie a larger group whose weights fit wins, rows
  // outermost being how every other kernel splits an image between threads
  // (ScheduleImageRows). A strided 1x1 convolution first gathers the pixels
  // it reads.
  const bool gathered = w.kernel_h == 1 && w.kernel_w == 1 && w.pad_h == 0 && w.pad_w == 0;
  const double input_bytes = 4.0 * w.batch * w.in_channels *
                             (gathered ? w.out_height() * w.out_width() : w.height * w.width);
  const double weight_bytes = 4.0 * w.out_channels * w.in_channels * w.kernel_h * w.kernel_w;
  const double budget = target.l2_bytes / 2.0;
  const int64_t occ = w.out_channels / c.oc_bn;
  const double rows = static_cast<double>(w.out_height());
  // The knob's values are the tuning space's, powers of two, each standing
  // for the largest divisor of the block count at most it.
  double least = -1;
  for (int64_t knob = 1;; knob *= 2) {
    const int64_t g = LargestDivisorAtMost(occ, knob);
    const bool group_fits = g * weight_bytes / occ <= budget;
    const double traffic =
        (group_fits ? 1.0 : rows) * weight_bytes +
        (input_bytes <= budget ? 1.0 : static_cast<double>(occ / g)) * input_bytes;
    if (least < 0 || traffic < least || (traffic == least && group_fits)) {
      least = traffic;
      c.oc_group = knob;
    }
    if (knob >= occ) break;
  }
  return c;
}

// Winograd F(m x m, 3 x 3) does (m+2)^2 multiply-adds per m x m outputs
// and channel pair instead of 9 m^2 (a quarter for m = 4, 4/9 for m = 2,
// less where the tiles overhang the image). Its transforms cost about what
// the GEMMs save when few channels share them. Its weights are (m+2)^2/9
// times the direct ones (4x for m = 4) and a model streams them from memory
// once per run, so the GEMMs do only T/2 FLOPs per weight byte over T
// tiles: below T = 32 (16 FLOPs per byte) the weights arrive slower than
// one core multiplies (~100 GFLOPS against ~10 GB/s here). Measured in
// ResNet-50: F(4x4) on 14x14 outputs (T = 16) ran at the speed of memory
// and F(4x4) on 7x7 ones (T = 4) gained under 15% for 38 MB of weights each.
bool WinogradPays(const Conv2dWorkload& w, int64_t m) {
  return WinogradApplies(w) && w.in_channels >= 16 && w.out_channels >= 16 &&
         WinogradTiles(w, m) >= 32;
}

Conv2dNCHWcConfig DefaultConv2dNCHWcConfig(const Conv2dWorkload& w,
                                           const targets::Target& target,
                                           const Conv2dBlocks* fixed) {
  Conv2dNCHWcConfig c = DefaultDirectConv2dNCHWcConfig(w, target, fixed);
  for (int64_t m : {4, 2}) {
    if (!WinogradPays(w, m)) continue;
    c.winograd_tile = m;
    c.oc_group = 1;  // each GEMM's weights stream once; its input tiles fit L2
    c.tile_ow = DefaultWinogradRegisterTiles(WinogradTiles(w, m), c.oc_bn, target.vector_lanes,
                                           target.vector_registers);
    break;
  }
  return c;
}

Conv2dBlocks GraphConv2dBlocks(const Conv2dWorkload& w, const targets::Target& target,
                               int64_t input_block, int64_t output_groups) {
  const Conv2dNCHWcConfig d = DefaultConv2dNCHWcConfig(w, target);
  const bool follows = input_block > 0 && w.in_channels % input_block == 0;
  const bool few_plain = input_block == 0 && w.in_channels < target.vector_lanes;
  int64_t oc_bn = d.oc_bn;
  const int64_t group = w.out_channels / output_groups;
  if (output_groups > 1 && w.out_channels % output_groups == 0 && group % oc_bn != 0 &&
      2 * LargestDivisorAtMost(group, target.vector_lanes) >= target.vector_lanes) {
    oc_bn = LargestDivisorAtMost(group, target.vector_lanes);
  }
  return Conv2dBlocks{follows ? input_block : few_plain ? 1 : d.ic_bn, oc_bn};
}

absl::StatusOr<tuning::ConfigSpace> Conv2dNCHWcSpace(const Conv2dWorkload& w,
                                                     const targets::Target& target,
                                                     const Conv2dBlocks* fixed) {
  if (auto st = ValidateConv2d(w); !st.ok()) return st;
  std::vector<int64_t> ic, oc, reg;
  if (fixed) {
    if (fixed->ic_bn < 1 || fixed->oc_bn < 1 || w.in_channels % fixed->ic_bn != 0 ||
        w.out_channels % fixed->oc_bn != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "blocks ic_bn=", fixed->ic_bn, ", oc_bn=", fixed->oc_bn, " do not divide the channels of ",
          w.ToString()));
    }
    ic = {fixed->ic_bn};
    oc = {fixed->oc_bn};
  }
  for (int64_t d = 1; !fixed && d <= std::min<int64_t>(w.in_channels, 64); ++d) {
    if (w.in_channels % d == 0) ic.push_back(d);
  }
  // Output blocks are whole vectors (one or two): anything narrower leaves
  // lanes idle in every FMA. Channel counts below one vector are one block.
  for (int64_t d = target.vector_lanes; !fixed && d <= 2 * target.vector_lanes;
       d += target.vector_lanes) {
    if (w.out_channels % d == 0) oc.push_back(d);
  }
  if (!fixed && oc.empty()) oc.push_back(LargestDivisorAtMost(w.out_channels, target.vector_lanes));
  // The register tile covers output pixels of a row (direct) or Winograd
  // tiles, which can outnumber a row's pixels: the space spans both.
  int64_t widest = w.out_width();
  for (int64_t m : {2, 4}) {
    if (WinogradPays(w, m)) widest = std::max(widest, WinogradTiles(w, m));
  }
  for (int64_t r = 1; r <= std::min<int64_t>(widest, 32); ++r) reg.push_back(r);
  // Powers of two up to the first that covers the most channel blocks any
  // tile_oc gives (all blocks in one group: rows outermost); the kernel
  // takes the largest divisor of its block count at most this.
  std::vector<int64_t> groups;
  const int64_t most_blocks = w.out_channels / *std::min_element(oc.begin(), oc.end());
  for (int64_t g = 1;; g *= 2) {
    groups.push_back(g);
    if (g >= most_blocks || AccumulatesWholeOutput(w)) break;  // the latter has no groups
  }
  // Segments of half, one and two times the default's pixels for the
  // narrowest block, or none; small outputs accumulate whole instead.
  std::vector<int64_t> segments = {0};
  if (!AccumulatesWholeOutput(w)) {
    const int64_t pixels = SegmentPixels(target, *std::min_element(oc.begin(), oc.end()));
    for (int64_t p : {pixels / 2, pixels, 2 * pixels}) {
      if (p >= 1) segments.push_back(p);
    }
  }
  tuning::ConfigSpace space;
  // Unrolling a single kernel column changes nothing: one choice then.
  const std::vector<int64_t> unroll =
      w.kernel_w > 1 ? std::vector<int64_t>{0, 1} : std::vector<int64_t>{0};
  for (auto st : {space.DefineIntChoice("tile_ic", ic), space.DefineIntChoice("tile_oc", oc),
                  space.DefineIntChoice("tile_ow", reg), space.DefineIntChoice("unroll_kw", unroll),
                  space.DefineIntChoice("oc_group", groups),
                  space.DefineIntChoice("segment", segments)}) {
    if (!st.ok()) return st;
  }
  // The algorithm is a knob too (0: direct) with the tiles that can pay:
  // timed alone, with its weights hot, Winograd also wins where a model
  // streaming them from memory loses. Winograd counts tile_ow in input
  // tiles, groups channel blocks in its GEMMs, and ignores unroll_kw.
  std::vector<int64_t> algorithms = {0};
  for (int64_t m : {2, 4}) {
    if (WinogradPays(w, m)) algorithms.push_back(m);
  }
  if (algorithms.size() > 1) {
    if (auto st = space.DefineIntChoice("winograd", algorithms); !st.ok()) return st;
  }
  return space;
}

absl::StatusOr<Conv2dNCHWcConfig> Conv2dNCHWcConfigFrom(const tuning::Config& config) {
  Conv2dNCHWcConfig c;
  auto ic = config.Int("tile_ic");
  auto oc = config.Int("tile_oc");
  auto ow = config.Int("tile_ow");
  auto kw = config.Int("unroll_kw");
  auto oc_group = config.Int("oc_group");
  for (const absl::Status& st :
       {ic.status(), oc.status(), ow.status(), kw.status(), oc_group.status()}) {
    if (!st.ok()) return st;
  }
  c.ic_bn = *ic;
  c.oc_bn = *oc;
  c.tile_ow = *ow;
  c.unroll_kw = *kw != 0;
  c.oc_group = *oc_group;
  // Spaces of convolutions Winograd does not apply to have no such knob.
  auto winograd = config.Int("winograd");
  c.winograd_tile = winograd.ok() ? *winograd : 0;
  // Records written before segments existed have no such knob.
  auto segment = config.Int("segment");
  c.segment = segment.ok() ? *segment : 0;
  return c;
}

namespace {

// Tests for taps that read only padding cost little where they skip, but
// they break the loops inside into blocks that LLVM no longer unrolls and
// schedules as one: ResNet-50's 7x7 stem, where 0.8% of the taps read only
// padding, ran 1.7x slower with them. Below this share they are left out.
constexpr double kMinSkippedShare = 0.05;

// Along one dimension, the share of (output, kernel offset) pairs whose
// reads fall wholly in padding when outputs are taken in groups of `group`
// (register tiles, which skip a tap only when all their outputs do).
double PaddingOnlyShare(int64_t outputs, int64_t group, int64_t kernel, int64_t stride,
                        int64_t dilation, int64_t pad, int64_t size) {
  int64_t skipped = 0;
  for (int64_t first = 0; first < outputs; first += group) {
    for (int64_t k = 0; k < kernel; ++k) {
      const int64_t lo = first * stride + k * dilation - pad;
      const int64_t hi = (first + group - 1) * stride + k * dilation - pad;
      if (hi < 0 || lo >= size) skipped += std::min(group, outputs - first);
    }
  }
  return static_cast<double>(skipped) / static_cast<double>(outputs * kernel);
}

}  // namespace

Tensor ZeroPaddedNCHWc(const Tensor& data, const Conv2dWorkload& w, int64_t padded_h,
                       int64_t padded_w) {
  const std::vector<int64_t>& shape = data->shape;
  return Compute("pad", {shape[0], shape[1], padded_h, padded_w, shape[4]},
                 [&](const std::vector<Var>& i) {
                   Expr y = Expr(i[2]) - w.pad_h, x = Expr(i[3]) - w.pad_w;
                   Expr inside = And(And(y >= 0, y < w.height), And(x >= 0, x < w.width));
                   Expr cy = Max(Min(y, w.height - 1), 0), cx = Max(Min(x, w.width - 1), 0);
                   return Select(inside, Read(data, {i[0], i[1], cy, cx, i[4]}), Expr(0.0f));
                 });
}

void ScheduleStagedInput(Stage& staged) {
  if (staged.tensor()->shape[2] == 1) {
    // One row (a 1-D signal) has no rows to share: its channel blocks are.
    staged.Parallel(staged.Fuse(staged.Fuse(staged.axis(0), staged.axis(1)), staged.axis(2)));
  } else {
    ScheduleImageRows(staged);
  }
  staged.Vectorize(staged.axis(4));
}

Expr Conv2dEpilogue(const Conv2dWorkload& w, int64_t oc_bn, const Tensor& bias,
                    const Tensor& residual, const PostOps& post, const std::vector<Var>& i,
                    Expr v) {
  if (bias) v = v + Read(bias, {Expr(i[1]) * oc_bn + i[4]});
  if (residual) v = v + Read(residual, {i[0], i[1], i[2], i[3], i[4]});
  return post.Apply(w.activation.Apply(v), i);
}

absl::StatusOr<LoweredFunc> BuildConv2dNCHWc(const Conv2dWorkload& w,
                                             const Conv2dNCHWcConfig& c,
                                             const std::string& name, const PostOps& post) {
  if (auto st = ValidateConv2d(w); !st.ok()) return st;
  if (c.winograd_tile != 0) return BuildConv2dWinogradNCHWc(w, c, name, post);
  if (c.ic_bn < 1 || c.oc_bn < 1 || c.tile_ow < 1 || w.in_channels % c.ic_bn != 0 ||
      w.out_channels % c.oc_bn != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "conv2d_NCHWc config (ic_bn=", c.ic_bn, ", oc_bn=", c.oc_bn, ", tile_ow=", c.tile_ow,
        ") does not fit ", w.ToString(), ": block sizes must divide the channel counts"));
  }
  if (c.segment < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("conv2d_NCHWc segment ", c.segment, " is negative"));
  }
  const int64_t icc = w.in_channels / c.ic_bn, occ = w.out_channels / c.oc_bn;
  const int64_t oh = w.out_height(), ow = w.out_width();
  const bool segmented = c.segment > 0 && !AccumulatesWholeOutput(w);
  // The row in equal segments of at most c.segment pixels, each whole
  // register tiles; together they cover up to a tile per segment past the
  // row's end, reading zero padding there instead of testing every pixel.
  const int64_t tile_ow = std::min(c.tile_ow, ow);
  const int64_t segments = segmented ? CeilDiv(ow, c.segment) : 1;
  const int64_t segment = segmented ? RoundUp(CeilDiv(ow, segments), tile_ow) : ow;
  const int64_t covered = segment * segments;
  const int64_t ph = w.height + 2 * w.pad_h;
  const int64_t pw = std::max(w.width + 2 * w.pad_w,
                              (covered - 1) * w.stride_w + (w.kernel_w - 1) * w.dilation_w + 1);

  Tensor data = Placeholder("data", {w.batch, icc, w.height, w.width, c.ic_bn});
  Tensor kernel =
      Placeholder("kernel", {occ, icc, w.kernel_h, w.kernel_w, c.ic_bn, c.oc_bn});
  Tensor bias = w.bias ? Placeholder("bias", {w.out_channels}) : nullptr;
  Tensor residual = w.residual ? Placeholder("residual", {w.batch, occ, oh, ow, c.oc_bn})
                               : nullptr;
  Tensor input = ph > w.height || pw > w.width ? ZeroPaddedNCHWc(data, w, ph, pw) : data;
  // A strided 1x1 convolution reads only every stride-th pixel, scattered
  // over the whole input: gathering those pixels first (a quarter of the
  // input for stride 2) turns it into a dense stride-1 convolution whose
  // input stays in cache.
  int64_t stride_h = w.stride_h, stride_w = w.stride_w;
  if (w.kernel_h == 1 && w.kernel_w == 1 && (stride_h > 1 || stride_w > 1) && input == data) {
    input = Compute("strided", {w.batch, icc, oh, ow, c.ic_bn}, [&](const std::vector<Var>& i) {
      return Read(data, {i[0], i[1], Expr(i[2]) * stride_h, Expr(i[3]) * stride_w, i[4]});
    });
    stride_h = stride_w = 1;
  }
  const bool skip_rows = PaddingOnlyShare(oh, 1, w.kernel_h, stride_h, w.dilation_h, w.pad_h,
                                          w.height) >= kMinSkippedShare;
  const bool skip_columns = PaddingOnlyShare(ow, tile_ow, w.kernel_w, stride_w, w.dilation_w,
                                             w.pad_w, w.width) >= kMinSkippedShare;
  IterVar ric = ReduceAxis(icc, "ic.outer"), rkh = ReduceAxis(w.kernel_h, "kh"),
          rkw = ReduceAxis(w.kernel_w, "kw"), rii = ReduceAxis(c.ic_bn, "ic.inner");
  Tensor conv = Compute(
      "conv", {w.batch, occ, oh, covered, c.oc_bn},
      [&](const std::vector<Var>& i) {
        Expr y = Expr(i[2]) * stride_h + Expr(rkh->var) * w.dilation_h;
        Expr x = Expr(i[3]) * stride_w + Expr(rkw->var) * w.dilation_w;
        // Taps that read only padding are skipped: a kernel row for a whole
        // output row, a kernel column for a whole register tile of pixels
        // (each tile's pixels share the test, which lowering hoists out of
        // the loops inside it). A dilated convolution on a small map reads
        // mostly padding (DeepLab's ASPP at dilation 6 on 33x33: 23%).
        Expr reads_image;
        const auto also = [&reads_image](Expr c) {
          reads_image = reads_image.defined() ? And(reads_image, c) : c;
        };
        if (skip_rows) {
          also(y >= w.pad_h);
          also(y < w.pad_h + w.height);
        }
        if (skip_columns) {
          Expr first = FloorDiv(i[3], tile_ow) * tile_ow;
          Expr kw_offset = Expr(rkw->var) * w.dilation_w;
          also((first + tile_ow - 1) * stride_w + kw_offset >= w.pad_w);
          also(first * stride_w + kw_offset < w.pad_w + w.width);
        }
        return Sum(Read(input, {i[0], ric->var, y, x, rii->var}) *
                       Read(kernel, {i[1], ric->var, rkh->var, rkw->var, rii->var, i[4]}),
                   {ric, rkh, rkw, rii}, reads_image);
      },
      {"n", "oc.chunk", "oh", "ow", "oc.block"});
  Tensor out = Compute(
      "out", {w.batch, occ, oh, ow, c.oc_bn},
      [&](const std::vector<Var>& i) {
        return Conv2dEpilogue(w, c.oc_bn, bias, residual, post, i,
                              Read(conv, {i[0], i[1], i[2], i[3], i[4]}));
      },
      {"n", "oc.chunk", "oh", "ow", "oc.block"});

  Schedule s({out});
  if (input != data) ScheduleStagedInput(s[input]);
  Stage& o = s[out];
  Stage& acc = s[conv];
  // What `o` computes in one iteration of `at` (a channel block's whole
  // output, or one segment) accumulates in L1, in register tiles of `tile`
  // pixels, with the input-channel blocks outermost.
  const auto accumulate_in_l1 = [&acc, &o](const Axis& at, int64_t tile) {
    acc.ComputeAt(o, at);
    auto [tiles, in_tile] = acc.Split(acc.axis(3), tile);
    acc.Reorder({acc.axis(0), acc.axis(1), acc.reduce_axis(0), acc.axis(2), tiles,
                 acc.reduce_axis(1), acc.reduce_axis(2), acc.reduce_axis(3), in_tile,
                 acc.axis(4)});
    acc.Unroll(in_tile);
  };
  if (segmented) {
    // Channel blocks outermost: a block's weights stay in L2 while its
    // segments pass. (Segments outermost, each streaming all the weights
    // instead of each block streaming the input, measured the same.)
    const Axis row_segments = o.Split(o.axis(3), segment).first;
    const Axis tasks = o.Fuse(o.Fuse(o.Fuse(o.axis(0), o.axis(1)), o.axis(2)), row_segments);
    o.Parallel(tasks);
    o.Vectorize(o.axis(4));
    accumulate_in_l1(tasks, tile_ow);
  } else if (AccumulatesWholeOutput(w)) {
    // A channel block's whole output is one accumulator block in L1, with
    // the input-channel loop outermost: each block of weights serves every
    // output row while it is in L1, instead of each row passing over all
    // the weights (stage-4 3x3 layers in the model: 1.13 -> 1.01 ms).
    const Axis blocks = o.Fuse(o.axis(0), o.axis(1));
    o.Parallel(blocks);
    o.Vectorize(o.axis(4));
    accumulate_in_l1(blocks, c.tile_ow);
  } else {
    auto [ow_outer, ow_inner] = o.Split(o.axis(3), c.tile_ow);
    auto [group, in_group] = o.Split(o.axis(1), LargestDivisorAtMost(occ, c.oc_group));
    o.Reorder({o.axis(0), group, o.axis(2), in_group, ow_outer, ow_inner, o.axis(4)});
    o.Parallel(o.Fuse(o.Fuse(o.Fuse(o.axis(0), group), o.axis(2)), in_group));
    o.Unroll(ow_inner);
    o.Vectorize(o.axis(4));
    acc.ComputeAt(o, ow_outer);
    acc.Reorder({acc.axis(0), acc.axis(1), acc.axis(2), acc.reduce_axis(0), acc.reduce_axis(1),
                 acc.reduce_axis(2), acc.reduce_axis(3), acc.axis(3), acc.axis(4)});
    acc.Unroll(acc.axis(3));
  }
  acc.Vectorize(acc.axis(4));
  if (c.unroll_kw) acc.Unroll(acc.reduce_axis(2));
  // Each step of the input-channel loop reads one vector of weights; fetch
  // the same vector of the next input-channel block, which the next
  // ic.outer iteration (or the next channel block, after the last) reads.
  // The output rows that reuse a block find it in L2; the first one no
  // longer waits for memory (ResNet-50 at one thread: 31.4 -> 29.0 ms, the
  // stage-4 3x3 layers 1.34 -> 1.13 ms; a block further ahead gained no more).
  acc.Prefetch(kernel, acc.reduce_axis(3), w.kernel_h * w.kernel_w * c.ic_bn * c.oc_bn, c.oc_bn);

  std::vector<Tensor> args = {data, kernel};
  if (bias) args.push_back(bias);
  if (residual) args.push_back(residual);
  args.insert(args.end(), post.operands().begin(), post.operands().end());
  args.push_back(out);
  return Lower(s, args, name);
}

}  // namespace kiln::ir::ops

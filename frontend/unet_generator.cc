#include "frontend/unet_generator.h"

#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/model_builder.h"

namespace kiln::frontend {

absl::StatusOr<std::string> GenerateUNet(const UNetOptions& o) {
  if (o.depth < 1 || o.width < 1 || o.classes < 1 || o.image_size < 1 ||
      o.image_size % (int64_t{1} << o.depth) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "U-Net: image_size ", o.image_size, " must be a positive multiple of 2^depth = ",
        int64_t{1} << o.depth, ", width and classes positive"));
  }
  ModelBuilder b("unet", /*opset=*/13, o.seed);
  b.AddInput("input", {1, 3, o.image_size, o.image_size});
  const auto conv_pair = [&](const std::string& x, const std::string& name, int64_t in,
                             int64_t out) {
    std::string y = x;
    for (int i = 1; i <= 2; ++i) {
      const std::string p = absl::StrCat(name, "_", i);
      y = b.Conv(y, p + "_conv", ConvSpec(i == 1 ? in : out, out, {3, 3}).Pad(1));
      y = b.Relu(b.BatchNorm(y, p + "_bn", out), p + "_relu");
    }
    return y;
  };
  std::vector<std::string> skips;
  std::string x = "input";
  int64_t channels = 3;
  for (int64_t level = 0; level < o.depth; ++level) {
    const int64_t out = o.width << level;
    x = conv_pair(x, absl::StrCat("down", level), channels, out);
    skips.push_back(x);
    auto* pool = b.Node("MaxPool", {x}, absl::StrCat("down", level, "_pool"));
    ModelBuilder::Ints(pool, "kernel_shape", {2, 2});
    ModelBuilder::Ints(pool, "strides", {2, 2});
    x = pool->output(0);
    channels = out;
  }
  x = conv_pair(x, "bottleneck", channels, o.width << o.depth);
  channels = o.width << o.depth;
  for (int64_t level = o.depth - 1; level >= 0; --level) {
    const std::string p = absl::StrCat("up", level);
    const int64_t skip_channels = o.width << level;
    // Both upsampling styles of published U-Nets, so that one model
    // exercises them all: learned (ConvTranspose) and fixed (Resize).
    const int64_t style = (o.depth - 1 - level) % 4;
    if (style % 2 == 0) {
      auto w = b.Normal(p + "_upconv_weight", {channels, channels / 2, 2, 2},
                        std::sqrt(2.0f / (channels * 4)));
      auto* up = b.Node("ConvTranspose", {x, w}, p + "_upconv");
      ModelBuilder::Ints(up, "kernel_shape", {2, 2});
      ModelBuilder::Ints(up, "strides", {2, 2});
      x = up->output(0);
      channels /= 2;
    } else {
      auto* up = b.Node("Resize", {x, "", b.Floats(p + "_scales", {1, 1, 2, 2})}, p + "_resize");
      ModelBuilder::String(up, "mode", style == 1 ? "linear" : "nearest");
      x = up->output(0);
    }
    auto* cat = b.Node("Concat", {x, skips[level]}, p + "_concat");
    ModelBuilder::Int(cat, "axis", 1);
    x = conv_pair(cat->output(0), p, channels + skip_channels, skip_channels);
    channels = skip_channels;
  }
  x = b.Conv(x, "logits", ConvSpec(channels, o.classes, {1, 1}).Bias());
  b.AddOutput(x, {1, o.classes, o.image_size, o.image_size});
  return b.Serialize();
}

}  // namespace kiln::frontend

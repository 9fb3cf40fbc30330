#include "frontend/mobilenet_v2_generator.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "frontend/model_builder.h"

namespace kiln::frontend {
namespace {

// torchvision's _make_divisible: channels rounded to a multiple of 8, never
// more than 10% below the scaled value.
int64_t Divisible(double channels) {
  int64_t rounded = std::max<int64_t>(8, static_cast<int64_t>(channels + 4) / 8 * 8);
  if (rounded < 0.9 * channels) rounded += 8;
  return rounded;
}

}  // namespace

absl::StatusOr<std::string> GenerateMobileNetV2(const MobileNetV2Options& o) {
  if (o.image_size < 32 || o.width_multiplier <= 0 || o.classes < 1) {
    return absl::InvalidArgumentError(
        "MobileNetV2: image_size must be at least 32, width_multiplier and classes positive");
  }
  ModelBuilder b("mobilenet_v2", /*opset=*/13, o.seed);
  b.AddInput("input", {1, 3, o.image_size, o.image_size});
  // Conv + BatchNorm, then ReLU6 unless the block is linear.
  const auto conv_bn = [&](const std::string& x, const std::string& name, int64_t in, int64_t out,
                           int64_t k, int64_t stride, int64_t group, bool relu6) {
    std::string y =
        b.Conv(x, name + "_conv", ConvSpec(in, out, {k, k}).Stride(stride).Pad(k / 2).Group(group));
    y = b.BatchNorm(y, name + "_bn", out);
    return relu6 ? b.Relu6(y, name + "_relu6") : y;
  };
  int64_t channels = Divisible(32 * o.width_multiplier);
  std::string x = conv_bn("input", "features0", 3, channels, 3, 2, 1, true);
  // (expansion t, output channels c, repeats n, first stride s) from the paper's Table 2.
  struct Stage {
    int64_t t, c, n, s;
  };
  const Stage stages[] = {{1, 16, 1, 1},  {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                          {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  int block = 1;
  for (const Stage& stage : stages) {
    const int64_t out = Divisible(stage.c * o.width_multiplier);
    for (int64_t i = 0; i < stage.n; ++i, ++block) {
      const std::string p = absl::StrCat("features", block);
      const int64_t stride = i == 0 ? stage.s : 1;
      const int64_t hidden = channels * stage.t;
      std::string y = x;
      if (stage.t != 1) y = conv_bn(y, p + "_expand", channels, hidden, 1, 1, 1, true);
      y = conv_bn(y, p + "_depthwise", hidden, hidden, 3, stride, hidden, true);
      y = conv_bn(y, p + "_project", hidden, out, 1, 1, 1, false);
      if (stride == 1 && channels == out) y = b.Apply("Add", {x, y}, p + "_add");
      x = y;
      channels = out;
    }
  }
  const int64_t last = Divisible(1280 * std::max(1.0, o.width_multiplier));
  x = conv_bn(x, absl::StrCat("features", block), channels, last, 1, 1, 1, true);
  x = b.Apply("GlobalAveragePool", {x}, "pool");
  ModelBuilder::Int(b.Node("Flatten", {x}, "flatten"), "axis", 1);
  x = b.Dense("flatten", "classifier", last, o.classes);
  b.AddOutput(x, {1, o.classes});
  return b.Serialize();
}

}  // namespace kiln::frontend

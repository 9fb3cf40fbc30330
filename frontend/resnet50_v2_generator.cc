#include "frontend/resnet50_v2_generator.h"

#include "absl/strings/str_cat.h"
#include "frontend/model_builder.h"

namespace kiln::frontend {

absl::StatusOr<std::string> GenerateResNet50V2(const ResNetOptions& o) {
  if (o.image_size < 32 || o.width < 1 || o.classes < 1) {
    return absl::InvalidArgumentError("image_size must be at least 32, width and classes positive");
  }
  ModelBuilder b("resnet50_v2", /*opset=*/7, o.seed, /*ir_version=*/3);
  b.AddInput("data", {1, 3, o.image_size, o.image_size});
  const auto conv = [&](const std::string& x, const std::string& name, int64_t in, int64_t out,
                        int64_t k, int64_t stride, int64_t pad) {
    return b.Conv(x, name, ConvSpec(in, out, {k, k}).Stride(stride).Pad(pad));
  };
  std::string x = b.BatchNorm("data", "resnetv24_batchnorm0", 3);
  x = conv(x, "resnetv24_conv0", 3, o.width, 7, 2, 3);
  x = b.BatchNorm(x, "resnetv24_batchnorm1", o.width);
  x = b.Relu(x, "resnetv24_relu0");
  auto* pool = b.Node("MaxPool", {x}, "resnetv24_pool0");
  ModelBuilder::Ints(pool, "kernel_shape", {3, 3});
  ModelBuilder::Ints(pool, "strides", {2, 2});
  ModelBuilder::Ints(pool, "pads", {1, 1, 1, 1});
  x = "resnetv24_pool0";
  const int units[] = {3, 4, 6, 3};
  int64_t in_channels = o.width;
  for (int stage = 0; stage < 4; ++stage) {
    const int64_t mid = o.width << stage, out = 4 * mid;
    for (int unit = 0; unit < units[stage]; ++unit) {
      const std::string p = absl::StrCat("resnetv24_stage", stage + 1, "_unit", unit + 1);
      const int64_t stride = (unit == 0 && stage > 0) ? 2 : 1;
      // Pre-activation: the shared BN + ReLU feeds both the branch and,
      // in the first unit, the projection shortcut.
      std::string act = b.Relu(b.BatchNorm(x, p + "_bn1", in_channels), p + "_relu1");
      std::string shortcut = x;
      if (unit == 0) shortcut = conv(act, p + "_sc", in_channels, out, 1, stride, 0);
      std::string y = conv(act, p + "_conv1", in_channels, mid, 1, 1, 0);
      y = b.Relu(b.BatchNorm(y, p + "_bn2", mid), p + "_relu2");
      y = conv(y, p + "_conv2", mid, mid, 3, stride, 1);
      y = b.Relu(b.BatchNorm(y, p + "_bn3", mid), p + "_relu3");
      y = conv(y, p + "_conv3", mid, out, 1, 1, 0);
      x = b.Apply("Add", {y, shortcut}, p + "_plus");
      in_channels = out;
    }
  }
  x = b.Relu(b.BatchNorm(x, "resnetv24_batchnorm2", in_channels), "resnetv24_relu1");
  x = b.Apply("GlobalAveragePool", {x}, "resnetv24_pool1");
  ModelBuilder::Int(b.Node("Flatten", {x}, "resnetv24_flatten0"), "axis", 1);
  x = b.Dense("resnetv24_flatten0", "resnetv24_dense0", in_channels, o.classes,
              "resnetv24_dense0_fwd");
  b.AddOutput(x, {1, o.classes});
  return b.Serialize();
}

absl::Status WriteResNet50V2(const std::string& path, const ResNetOptions& options) {
  return WriteModel(path, GenerateResNet50V2(options));
}

}  // namespace kiln::frontend

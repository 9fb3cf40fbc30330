#include "frontend/audio_conv1d_generator.h"

#include "absl/strings/str_cat.h"
#include "frontend/model_builder.h"

namespace kiln::frontend {

absl::StatusOr<std::string> GenerateAudioConv1d(const AudioConv1dOptions& o) {
  const int64_t kernels[] = {10, 3, 3, 3, 3, 2, 2};
  const int64_t strides[] = {5, 2, 2, 2, 2, 2, 2};
  int64_t frames = o.samples;
  for (int i = 0; i < 7; ++i) frames = frames < kernels[i] ? 0 : (frames - kernels[i]) / strides[i] + 1;
  if (frames < 1 || o.channels < 1 || o.classes < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "audio_conv1d: ", o.samples, " samples leave no frame after the 7 strided convolutions "
        "(400 at least), or channels or classes are not positive"));
  }
  ModelBuilder b("audio_conv1d", /*opset=*/13, o.seed);
  b.AddInput("waveform", {1, 1, o.samples});
  std::string x = "waveform";
  int64_t in = 1;
  for (int i = 0; i < 7; ++i) {
    const std::string p = absl::StrCat("conv", i);
    x = b.Conv(x, p, ConvSpec(in, o.channels, {kernels[i]}).Stride(strides[i]));
    x = b.Gelu(x, p + "_gelu");
    in = o.channels;
  }
  auto* mean = b.Node("ReduceMean", {x}, "mean_over_time");
  ModelBuilder::Ints(mean, "axes", {2});
  ModelBuilder::Int(mean, "keepdims", 0);
  x = b.Dense(mean->output(0), "logits", o.channels, o.classes);
  b.AddOutput(x, {1, o.classes});
  return b.Serialize();
}

}  // namespace kiln::frontend

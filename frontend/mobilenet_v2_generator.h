// MobileNetV2 (Sandler et al. 2018; torchvision's mobilenet_v2) with seeded
// weights, as exporters write it at opset 13: inverted residual blocks of a
// 1x1 expansion, a depthwise 3x3 Conv (group = channels) and a linear 1x1
// projection, BatchNorm after every Conv, ReLU6 as Clip(x, 0, 6), the
// residual Add where stride is 1 and the channels match, then
// GlobalAveragePool, Flatten and Gemm. Input "input" 1x3x224x224, output
// 1x1000; width 1.0: 3.5 M parameters, 0.30 G multiply-adds (0.60 GFLOP).
#ifndef KILN_FRONTEND_MOBILENET_V2_GENERATOR_H_
#define KILN_FRONTEND_MOBILENET_V2_GENERATOR_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace kiln::frontend {

struct MobileNetV2Options {
  uint64_t seed = 1;
  int64_t image_size = 224;      // smaller sizes keep tests fast
  double width_multiplier = 1.0;  // scales every layer's channels, as in the paper
  int64_t classes = 1000;
};

// The serialized ModelProto.
absl::StatusOr<std::string> GenerateMobileNetV2(const MobileNetV2Options& options = {});

}  // namespace kiln::frontend

#endif  // KILN_FRONTEND_MOBILENET_V2_GENERATOR_H_

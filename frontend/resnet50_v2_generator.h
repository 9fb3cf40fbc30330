// Writes the topology of the ONNX model zoo's resnet50-v2-7.onnx with seeded
// weights: the model kiln's tests, example and benchmark use when the real
// file is not at hand.
//
// Pre-activation bottleneck blocks (BatchNorm + ReLU before each conv), the
// stride on the 3x3 convolutions, opset 7, IR version 3 with the initializers
// also listed as graph inputs, input "data" 1x3x224x224, output 1x1000,
// 53 Conv nodes, 8.18 GFLOP.
#ifndef KILN_FRONTEND_RESNET50_V2_GENERATOR_H_
#define KILN_FRONTEND_RESNET50_V2_GENERATOR_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace kiln::frontend {

struct ResNetOptions {
  uint64_t seed = 1;
  int64_t image_size = 224;  // smaller sizes keep tests fast
  int64_t width = 64;        // channels of the first stage (64 in ResNet-50)
  int64_t classes = 1000;
};

// The serialized ModelProto.
absl::StatusOr<std::string> GenerateResNet50V2(const ResNetOptions& options = {});
absl::Status WriteResNet50V2(const std::string& path, const ResNetOptions& options = {});

}  // namespace kiln::frontend

#endif  // KILN_FRONTEND_RESNET50_V2_GENERATOR_H_

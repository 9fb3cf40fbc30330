#include "frontend/testing/small_resnet.h"

#include "frontend/onnx_importer.h"
#include "frontend/resnet50_v2_generator.h"

namespace kiln::frontend::testing {

absl::StatusOr<graph::Graph> SmallResNet() {
  ResNetOptions options;
  options.image_size = 32;
  options.width = 8;
  auto bytes = GenerateResNet50V2(options);
  if (!bytes.ok()) return bytes.status();
  return ImportOnnxBytes(*bytes);
}

}  // namespace kiln::frontend::testing

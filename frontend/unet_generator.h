// A U-Net-style segmentation network (Ronneberger et al. 2015) with seeded
// weights at opset 13: an encoder of (Conv 3x3 + BatchNorm + ReLU) pairs
// with MaxPool 2x2 between levels, a bottleneck pair, and a decoder whose
// levels upsample alternately with ConvTranspose 2x2 stride 2 (halving the
// channels) and with Resize x2 (scales a constant input; linear and nearest
// in turn), concatenate the encoder's skip connection and apply a pair
// again; a final 1x1 Conv gives the class scores. Input "input"
// 1x3x256x256, output "logits" 1 x classes x 256 x 256.
#ifndef KILN_FRONTEND_UNET_GENERATOR_H_
#define KILN_FRONTEND_UNET_GENERATOR_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace kiln::frontend {

struct UNetOptions {
  uint64_t seed = 1;
  int64_t image_size = 256;  // a multiple of 2^depth
  int64_t width = 32;        // channels of the first level, doubled at each level below
  int64_t depth = 4;         // MaxPools between the top level and the bottleneck
  int64_t classes = 2;
};

// The serialized ModelProto.
absl::StatusOr<std::string> GenerateUNet(const UNetOptions& options = {});

}  // namespace kiln::frontend

#endif  // KILN_FRONTEND_UNET_GENERATOR_H_

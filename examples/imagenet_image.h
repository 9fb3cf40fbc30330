// The ImageNet preprocessing of the TVM tutorial, and reading its results:
// decode an image, resize it to 224x224, scale to [0, 1], normalize each
// channel with ImageNet's mean and std, HWC to CHW with a batch dimension.
#ifndef KILN_EXAMPLES_IMAGENET_IMAGE_H_
#define KILN_EXAMPLES_IMAGENET_IMAGE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/ndarray.h"

namespace kiln::examples {

// float32 [1, 3, size, size] from a PNG or JPEG file.
absl::StatusOr<runtime::NDArray> LoadImageNetInput(const std::string& path, int size = 224);

// Resamples an interleaved 8-bit HWC image with a triangle (bilinear) filter
// widened by the scale factor when shrinking, as PIL's Image.resize does.
std::vector<float> ResizeBilinear(const unsigned char* pixels, int width, int height,
                                  int channels, int out_width, int out_height);

// The k most probable classes of `logits` (softmax), most probable first.
std::vector<std::pair<int, float>> TopK(const float* logits, int n, int k);

// Class names, one per line; "n01440764 tench, Tinca tinca" gives
// "tench, Tinca tinca".
absl::StatusOr<std::vector<std::string>> ReadSynset(const std::string& path);

}  // namespace kiln::examples

#endif  // KILN_EXAMPLES_IMAGENET_IMAGE_H_

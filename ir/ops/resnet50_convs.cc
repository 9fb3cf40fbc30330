#include "ir/ops/resnet50_convs.h"

namespace kiln::ir::ops {
namespace {

CountedConv Conv(int64_t ic, int64_t hw, int64_t oc, int64_t k, int64_t stride, int count) {
  Conv2dWorkload w;
  w.in_channels = ic, w.height = w.width = hw, w.out_channels = oc;
  w.kernel_h = w.kernel_w = k, w.stride_h = w.stride_w = stride, w.pad_h = w.pad_w = k / 2;
  return {w, count};
}

}  // namespace

std::vector<CountedConv> ResNet50V2Convs() {
  // v2 bottlenecks put the stride on the 3x3 convolution; the first block of
  // each stage has a strided 1x1 projection shortcut.
  return {
      Conv(3, 224, 64, 7, 2, 1),  // stem
      // stage 1, 56x56, 3 blocks
      Conv(64, 56, 64, 1, 1, 1), Conv(64, 56, 64, 3, 1, 3), Conv(64, 56, 256, 1, 1, 4),
      Conv(256, 56, 64, 1, 1, 2),
      // stage 2, 28x28, 4 blocks
      Conv(256, 56, 128, 1, 1, 1), Conv(128, 56, 128, 3, 2, 1), Conv(128, 28, 128, 3, 1, 3),
      Conv(128, 28, 512, 1, 1, 4), Conv(256, 56, 512, 1, 2, 1), Conv(512, 28, 128, 1, 1, 3),
      // stage 3, 14x14, 6 blocks
      Conv(512, 28, 256, 1, 1, 1), Conv(256, 28, 256, 3, 2, 1), Conv(256, 14, 256, 3, 1, 5),
      Conv(256, 14, 1024, 1, 1, 6), Conv(512, 28, 1024, 1, 2, 1), Conv(1024, 14, 256, 1, 1, 5),
      // stage 4, 7x7, 3 blocks
      Conv(1024, 14, 512, 1, 1, 1), Conv(512, 14, 512, 3, 2, 1), Conv(512, 7, 512, 3, 1, 2),
      Conv(512, 7, 2048, 1, 1, 3), Conv(1024, 14, 2048, 1, 2, 1), Conv(2048, 7, 512, 1, 1, 2),
  };
}

}  // namespace kiln::ir::ops

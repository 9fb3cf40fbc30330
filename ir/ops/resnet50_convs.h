// The convolutions of ResNet-50 v2 (the ONNX model zoo's resnet50-v2-7) at
// batch 1: each distinct workload and how often the network runs it, so the
// conv2d benchmark can time the kernels without importing the model. Tuning
// extracts its tasks from the imported graph instead.
#ifndef KILN_IR_OPS_RESNET50_CONVS_H_
#define KILN_IR_OPS_RESNET50_CONVS_H_

#include <vector>

#include "ir/ops/conv2d_nchwc.h"

namespace kiln::ir::ops {

struct CountedConv {
  Conv2dWorkload workload;
  int count;  // occurrences in the network
};

// 23 distinct workloads, 53 convolutions in all.
std::vector<CountedConv> ResNet50V2Convs();

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_RESNET50_CONVS_H_

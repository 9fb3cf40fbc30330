// Plain, obviously correct implementations that operator tests compare
// compiled kernels against.
#ifndef KILN_IR_OPS_TESTING_REFERENCE_OPS_H_
#define KILN_IR_OPS_TESTING_REFERENCE_OPS_H_

#include <cstdint>
#include <vector>

#include "ir/ops/conv2d_nchwc.h"

namespace kiln::ir::ops::testing {

// NCHW data, OIHW weight with C/groups input channels per filter; the fused
// epilogue of `w` (bias per output channel, residual of the output's shape,
// ReLU), computed by the graph's conv operator. Unused optional inputs may
// be empty.
std::vector<float> ReferenceConv2d(const Conv2dWorkload& w, int64_t groups,
                                   const std::vector<float>& data,
                                   const std::vector<float>& weight,
                                   const std::vector<float>& bias,
                                   const std::vector<float>& residual);

}  // namespace kiln::ir::ops::testing

#endif  // KILN_IR_OPS_TESTING_REFERENCE_OPS_H_

// 3-D convolution and pooling over NCDHW data, written with kiln's 2-D
// operators so that they run on the tuned 2-D kernels: a convolution is a
// sum over the kernel's depth of 2-D convolutions of strided depth slices
// (depth folded into the batch); pooling is separable, a 2-D pooling over
// (H, W) and then one over (D, H * W) with a (kd, 1) window (the maximum of
// maxima, and the mean of means since a box window's valid count is the
// product of its per-axis counts).
#ifndef KILN_FRONTEND_CONVERTERS_VOLUMETRIC_H_
#define KILN_FRONTEND_CONVERTERS_VOLUMETRIC_H_

#include <string>

#include "frontend/converters/converter_util.h"

namespace kiln::frontend {

// `volumetric` for rank-5 data (input 0), `planar` for any other rank.
Converter WithVolumetric(Converter planar, Converter volumetric);

absl::Status VolumetricConv(ImportContext& c);
// `op`: max_pool or avg_pool.
Converter VolumetricPool(std::string op);

}  // namespace kiln::frontend

#endif  // KILN_FRONTEND_CONVERTERS_VOLUMETRIC_H_

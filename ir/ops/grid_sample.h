// grid_sample as a tensor program: every output point reads its grid
// coordinates and gathers the 1, 4 or 16 input pixels it interpolates.
#ifndef KILN_IR_OPS_GRID_SAMPLE_H_
#define KILN_IR_OPS_GRID_SAMPLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/graph/attrs_grid_sample.h"
#include "ir/stmt.h"
#include "targets/target.h"

namespace kiln::ir::ops {

// Buffers: x [N, C, H, W], grid [N, Ho, Wo, 2], out [N, C, Ho, Wo]. Rows of
// the output in parallel, each row's points in vectors (gathers).
absl::StatusOr<LoweredFunc> BuildGridSample(const std::vector<int64_t>& x_shape,
                                            const std::vector<int64_t>& grid_shape,
                                            const graph::GridSampleAttrs& attrs,
                                            const targets::Target& target,
                                            const std::string& name);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_GRID_SAMPLE_H_

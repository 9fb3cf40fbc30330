// The constant matrices of Winograd's minimal filtering F(m x m, 3 x 3) and
// the weight transform U = G g G^T, shared by the compiled kernel
// (ir/ops/conv2d_winograd.h) and the graph's reference implementation.
#ifndef KILN_IR_OPS_WINOGRAD_MATRICES_H_
#define KILN_IR_OPS_WINOGRAD_MATRICES_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"

namespace kiln::ir::ops {

// Row-major B^T [alpha x alpha], G [alpha x 3], A^T [m x alpha], alpha = m + 2.
struct WinogradMatrices {
  int64_t m = 0, alpha = 0;
  std::vector<double> bt, g, at;
};

// F(2x2, 3x3) and F(4x4, 3x3); other tiles are errors.
absl::StatusOr<WinogradMatrices> WinogradMatricesFor(int64_t m);

// OIHW 3x3 weights [out_channels, in_channels, 3, 3] -> U in
// [alpha^2, OC/oc_bn, IC/ic_bn, ic_bn, oc_bn], computed in double precision.
absl::StatusOr<std::vector<float>> TransformWinogradWeights(const std::vector<float>& oihw,
                                                            int64_t out_channels,
                                                            int64_t in_channels, int64_t m,
                                                            int64_t ic_bn, int64_t oc_bn);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_WINOGRAD_MATRICES_H_

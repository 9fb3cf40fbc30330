// 3x3 stride-1 convolution by Winograd's minimal filtering F(m x m, 3 x 3),
// in the blocked layout NCHW[x]c.
//
// Each m x m tile of output needs an (m+2) x (m+2) tile of input. With
// alpha = m + 2 and the constant matrices B, G, A of the algorithm:
//
//   U[xi]  = (G g G^T)[xi]        per (oc, ic), once at compile time
//   V[xi]  = (B^T d B)[xi]        per input tile and channel  (input transform)
//   M[xi]  = sum_ic U[xi] V[xi]   alpha^2 independent GEMMs over channels
//   y      = A^T M A              per output tile and channel (output transform)
//
// so an m x m output tile costs alpha^2 multiply-adds per channel pair
// instead of 9 m^2: 36 instead of 144 for F(4x4), 16 instead of 36 for
// F(2x2). The GEMMs get the register-blocked micro-kernel of the direct
// convolution (tile_ow tiles x one vector of output channels); the transforms
// are adds and small-constant multiplies, vectorized over the channel block.
// F(4x4)'s constants (up to 8 in A, 1/24 in G) lose a few bits against the
// direct convolution: relative errors of ~1e-6 per layer instead of ~1e-7.
//
//   data    [N, IC/ic_bn, H, W, ic_bn]
//   weight  [alpha^2, OC/oc_bn, IC/ic_bn, ic_bn, oc_bn]   (already transformed)
//   output  [N, OC/oc_bn, OH, OW, oc_bn]
#ifndef KILN_IR_OPS_CONV2D_WINOGRAD_H_
#define KILN_IR_OPS_CONV2D_WINOGRAD_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "ir/ops/conv2d_nchwc.h"
#include "ir/ops/winograd_matrices.h"
#include "ir/stmt.h"

namespace kiln::ir::ops {

// Whether Winograd computes `w` at all: a 3x3 kernel, stride 1, dilation 1.
bool WinogradApplies(const Conv2dWorkload& w);
// Output tiles of F(m x m, 3 x 3) over the batch: the rows of its GEMMs.
int64_t WinogradTiles(const Conv2dWorkload& w, int64_t m);
// How many tiles the transformed input and the products store per channel
// block: `tiles`, or a few more where `tiles` blocks would be a multiple of
// 4 KB apart (the cache sets of all transform points would coincide).
int64_t WinogradStoredTiles(int64_t tiles, int64_t ic_bn, int64_t oc_bn);
// Whether F(m x m, 3 x 3) is also worth it on `w` (the default takes the
// largest such m; the tuning space offers them all).
bool WinogradPays(const Conv2dWorkload& w, int64_t m);

// The kernel for `w` with tile m = config.winograd_tile, blocks ic_bn/oc_bn
// and config.tile_ow tiles per register block of the GEMMs. Buffers: data,
// transformed weight, [bias], [residual], the post ops' operands, output.
absl::StatusOr<LoweredFunc> BuildConv2dWinogradNCHWc(const Conv2dWorkload& w,
                                                     const Conv2dNCHWcConfig& config,
                                                     const std::string& name,
                                                     const PostOps& post = PostOps());

// Tiles of the GEMM register block for `tiles` input tiles and oc_bn output
// channels on a target with `lanes`-wide vectors and `registers` of them.
int64_t DefaultWinogradRegisterTiles(int64_t tiles, int64_t oc_bn, int64_t lanes,
                                     int64_t registers);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_CONV2D_WINOGRAD_H_

// Dense (fully connected) layers and batched matrix multiplication.
//
//   dense:  out[m, n] = act(sum_k data[m, k] * weight[n, k] + bias[n])
// with the weight pre-packed to [N/bn, K, bn] so that bn output features form
// one vector: the schedule accumulates a tile of rows x bn in registers over
// k, which serves both batch-1 inference (a matrix-vector product, bound by
// reading the weights) and larger batches.
//
//   batch_matmul: out[b, m, n] = sum_k a[b, m, k] * b[b, k, n]
//
//   matmul (numpy matmul and ONNX Gemm, any operand computed at run time):
//     out[b..., m, n] = alpha * sum_k A[b..., m, k] * B[b..., k, n] + beta * C[m, n]
// with numpy broadcasting of the batch dimensions b... (an operand of extent
// 1 in a batch dimension is read again for every index of it), A or B read
// transposed, C broadcast to [M, N]. One register-blocked kernel: each task
// accumulates a tile of rows x vectors of columns of one batch entry in
// registers over k (MatmulConfig, tunable as "batch_matmul.x86").
#ifndef KILN_IR_OPS_DENSE_H_
#define KILN_IR_OPS_DENSE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/ops/activation.h"
#include "ir/ops/post_ops.h"
#include "ir/stmt.h"
#include "targets/target.h"

namespace kiln::ir::ops {

struct DenseWorkload {
  int64_t m = 1, n = 0, k = 0;
  bool bias = false;
  Activation activation = Activation::kNone;
};

struct DenseConfig {
  int64_t n_bn = 16;   // output features per vector
  int64_t m_tile = 1;  // rows per register tile
};

DenseConfig DefaultDenseConfig(const DenseWorkload& w, const targets::Target& target);

// The weight packed as [N/n_bn, K, n_bn] from [N, K] (`weight_is_nk`, as
// Gemm's transB stores it) or [K, N] (as MatMul's B).
std::vector<float> PackDenseWeight(const float* weight, int64_t k, int64_t n, bool weight_is_nk,
                                   int64_t n_bn);

// Buffers: data [M, K], packed weight [N/n_bn, K, n_bn], [bias (N)], the post
// ops' operands, out [M, N].
absl::StatusOr<LoweredFunc> BuildDense(const DenseWorkload& w, const DenseConfig& config,
                                       const targets::Target& target, const std::string& name,
                                       const PostOps& post = PostOps());

struct BatchMatmulWorkload {
  int64_t batch = 1, m = 0, n = 0, k = 0;
};

// Buffers: a [B, M, K], b [B, K, N], out [B, M, N].
absl::StatusOr<LoweredFunc> BuildBatchMatmul(const BatchMatmulWorkload& w,
                                             const targets::Target& target,
                                             const std::string& name);

struct MatmulWorkload {
  std::vector<int64_t> batch;    // the output's batch dimensions
  std::vector<int64_t> a_batch;  // A's batch dimensions, right-aligned to `batch`; 1 broadcasts
  std::vector<int64_t> b_batch;  // B's
  int64_t m = 0, n = 0, k = 0;
  bool trans_a = false;  // A is stored [a_batch..., K, M]
  bool trans_b = false;  // B is stored [b_batch..., N, K]
  double alpha = 1.0;
  double beta = 1.0;
  bool has_c = false;
  std::vector<int64_t> c_shape;  // C's shape, of rank <= 2, broadcasting to [M, N]
  DataType elem = DataType::Float32();  // of every operand: float32 or float64
};

// The workload of numpy matmul of operands of shapes `a` and `b` (a 1-D A
// is a row vector, a 1-D B a column vector); InvalidArgument when they do
// not multiply or broadcast.
absl::StatusOr<MatmulWorkload> NumpyMatmulWorkload(const std::vector<int64_t>& a,
                                                   const std::vector<int64_t>& b);

// The schedule of a matmul kernel, what the batch_matmul template tunes:
// the register tile (rows x vectors of columns, accumulated over k) and
// which operand consecutive tasks share.
struct MatmulConfig {
  int64_t rows = 1;            // rows of the register tile
  int64_t vectors = 1;         // vectors of columns of the register tile
  bool b_panel_outer = false;  // tasks walk B's column panels outermost, else A's rows
};

// Vector lanes of the workload's element type on `target`.
int64_t MatmulLanes(const MatmulWorkload& w, const targets::Target& target);

// The rows the kernel tiles: M, or M times A's batch when only A has a batch
// (then the product is one matrix of more rows). InvalidArgument for a
// workload whose sizes are not positive or whose shapes do not broadcast.
absl::StatusOr<int64_t> MatmulKernelRows(const MatmulWorkload& w);

// The analytical schedule: two vectors of columns when N exceeds one, as
// many rows as leave a register for each vector of B and one for the
// broadcast element of A, and B's panels outermost when B is the larger
// matrix.
absl::StatusOr<MatmulConfig> DefaultMatmulConfig(const MatmulWorkload& w,
                                                 const targets::Target& target);

// Buffers: a, b, [c], out, each dense in the layout its workload describes
// (the output [batch..., M, N]). Without a config, DefaultMatmulConfig's.
absl::StatusOr<LoweredFunc> BuildMatmul(const MatmulWorkload& w, const targets::Target& target,
                                        const std::string& name,
                                        const std::optional<MatmulConfig>& config = std::nullopt);

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_DENSE_H_

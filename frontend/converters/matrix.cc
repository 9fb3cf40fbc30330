// Matrix products: Gemm and MatMul.
#include <algorithm>

#include "frontend/converters/converter_util.h"

namespace kiln::frontend {
namespace {

absl::Status Gemm(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, std::min(c.num_inputs(), 3)));
  KILN_ASSIGN(alpha, c.AttrFloat("alpha", 1.0));
  KILN_ASSIGN(beta, c.AttrFloat("beta", 1.0));
  KILN_ASSIGN(ta, c.AttrInt("transA", 0));
  KILN_ASSIGN(tb, c.AttrInt("transB", 0));
  return c.Emit("gemm", in, {{"alpha", alpha}, {"beta", beta}, {"trans_a", ta}, {"trans_b", tb}});
}

KILN_REGISTER_ONNX_CONVERTER(Gemm, 1, kLatestOpset, Gemm);
KILN_REGISTER_ONNX_CONVERTER(MatMul, 1, kLatestOpset, BinaryOp("matmul"));

}  // namespace
}  // namespace kiln::frontend

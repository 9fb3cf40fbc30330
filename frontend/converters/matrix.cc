// Matrix products (Gemm and MatMul) and Trilu, the triangles of matrices.
#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"

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

// Until opset 7 C broadcasts only with broadcast=1; otherwise it must have
// the product's shape [M, N].
absl::Status GemmWithBroadcastAttribute(ImportContext& c) {
  KILN_ASSIGN(broadcast, c.AttrInt("broadcast", 0));
  if (broadcast == 0 && c.HasInput(2)) {
    KILN_ASSIGN(ta, c.AttrInt("transA", 0));
    KILN_ASSIGN(tb, c.AttrInt("transB", 0));
    const auto& a = c.InputType(0).shape;
    const auto& b = c.InputType(1).shape;
    const auto& bias = c.InputType(2).shape;
    if (a.size() != 2 || b.size() != 2) return c.Invalid("A and B must be matrices");
    const std::vector<int64_t> product = {a[ta ? 1 : 0], b[tb ? 0 : 1]};
    if (bias != product) {
      return c.Invalid(absl::StrCat("C of shape ", runtime::ShapeToString(bias),
                                    " is not the product's shape ",
                                    runtime::ShapeToString(product), " and broadcast is not 1"));
    }
  }
  return Gemm(c);
}

KILN_REGISTER_ONNX_CONVERTER(Gemm, 1, 6, GemmWithBroadcastAttribute);
KILN_REGISTER_ONNX_CONVERTER(Gemm, 7, kLatestOpset, Gemm);
KILN_REGISTER_ONNX_CONVERTER(MatMul, 1, kLatestOpset, BinaryOp("matmul"));

// The diagonal offset k is an optional scalar input, which kiln needs
// constant.
absl::Status Trilu(ImportContext& c) {
  KILN_ASSIGN(upper, c.AttrInt("upper", 1));
  KILN_ASSIGN(k, OptionalConstantInts(c, 1, "Trilu's k"));
  if (c.HasInput(1) && k.size() != 1) {
    return c.Invalid(absl::StrCat("k has ", k.size(), " values; expected one"));
  }
  if (c.InputType(0).shape.size() < 2) {
    return c.Invalid(absl::StrCat("input of rank ", c.InputType(0).shape.size(),
                                  "; expected 2 or more"));
  }
  KILN_ASSIGN(in, Inputs(c, 1));
  return c.Emit("trilu", in, {{"upper", upper}, {"k", k.empty() ? int64_t{0} : k[0]}});
}

KILN_REGISTER_ONNX_CONVERTER(Trilu, 14, kLatestOpset, Trilu);

}  // namespace
}  // namespace kiln::frontend

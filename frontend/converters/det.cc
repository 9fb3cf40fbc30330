// Det (opset 11): the determinant of each square matrix in the last two
// axes, by the Leibniz formula: a gather of the n! permutation products'
// factors, a product over each and a signed sum. Exact in its arithmetic
// and branch-free, which suits the small matrices models take determinants
// of (geometry, 2x2 to 4x4); past 6x6 its n! * n terms would cost more than
// elimination, and kiln refuses those.
#include <algorithm>
#include <numeric>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"
#include "frontend/converters/graph_steps.h"

namespace kiln::frontend {
namespace {

constexpr int64_t kLargestMatrix = 6;

absl::Status Det(ImportContext& c) {
  KILN_ASSIGN(in, Inputs(c, 1));
  const std::vector<int64_t> shape = c.InputType(0).shape;
  const int64_t rank = shape.size();
  if (c.InputType(0).dtype != runtime::DType::kFloat32) {
    return c.Unsupported(absl::StrCat(runtime::DTypeName(c.InputType(0).dtype), " input"));
  }
  if (rank < 2 || shape[rank - 1] != shape[rank - 2]) {
    return c.Invalid(absl::StrCat("input of shape ", runtime::ShapeToString(shape),
                                  "; expected [..., n, n]"));
  }
  const int64_t n = shape[rank - 1];
  if (n < 1 || n > kLargestMatrix) {
    return c.Unsupported(absl::StrCat(n, "x", n, " matrices (kiln takes 1x1 to ",
                                      kLargestMatrix, "x", kLargestMatrix, ")"));
  }
  // Each permutation's flat indices into the matrix, and its sign.
  std::vector<int64_t> perm(n), indices;
  std::iota(perm.begin(), perm.end(), 0);
  std::vector<float> signs;
  do {
    int inversions = 0;
    for (int64_t i = 0; i < n; ++i) {
      indices.push_back(i * n + perm[i]);
      for (int64_t j = i + 1; j < n; ++j) inversions += perm[i] > perm[j];
    }
    signs.push_back(inversions % 2 ? -1.0f : 1.0f);
  } while (std::next_permutation(perm.begin(), perm.end()));
  const int64_t terms = signs.size();

  GraphSteps s(c);
  const int index = s.Int64Constant({terms, n}, indices);
  std::vector<int64_t> flat(shape.begin(), shape.end() - 2);
  flat.push_back(n * n);
  const int64_t axis = rank - 2;  // of the flattened matrices
  const int factors = s.Op("gather", {s.Reshape(in[0], flat), index}, {{"axis", axis}});
  auto last_axis = [](int64_t of_rank) -> GraphSteps::Attrs {
    return {{"axes", std::vector<int64_t>{of_rank - 1}}, {"keepdims", int64_t{0}}};
  };
  const int products = s.Op("reduce_prod", {factors}, last_axis(rank));
  const int signed_products = s.Op("mul", {products, s.Constant({terms}, signs)});
  return s.Bind(s.Op("reduce_sum", {signed_products}, last_axis(rank - 1)));
}

KILN_REGISTER_ONNX_CONVERTER(Det, 11, kLatestOpset, Det);

}  // namespace
}  // namespace kiln::frontend

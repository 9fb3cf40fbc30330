#include "ir/ops/reduce.h"

#include "absl/strings/str_cat.h"
#include "ir/lower/lower.h"
#include "ir/schedule.h"
#include "ir/tensor.h"

namespace kiln::ir::ops {

absl::StatusOr<LoweredFunc> BuildReduce(const std::vector<int64_t>& in_shape,
                                        const std::vector<bool>& reduced, bool keepdims,
                                        ReduceKind kind, const std::string& name) {
  if (reduced.size() != in_shape.size() || in_shape.empty()) {
    return absl::InvalidArgumentError("reduce: one flag per input axis, at least one axis");
  }
  std::vector<int64_t> out_shape;
  int64_t count = 1;
  for (size_t d = 0; d < in_shape.size(); ++d) {
    if (in_shape[d] < 1) return absl::InvalidArgumentError("reduce of an empty tensor");
    if (reduced[d]) count *= in_shape[d];
    if (!reduced[d] || keepdims) out_shape.push_back(reduced[d] ? 1 : in_shape[d]);
  }
  const bool scalar = out_shape.empty();
  if (scalar) out_shape = {1};
  Tensor in = Placeholder("in", in_shape);
  Tensor total = Compute("total", out_shape, [&](const std::vector<Var>& i) {
    std::vector<IterVar> axes;
    std::vector<Expr> idx;
    size_t o = 0;
    for (size_t d = 0; d < in_shape.size(); ++d) {
      if (reduced[d]) {
        axes.push_back(ReduceAxis(in_shape[d], absl::StrCat("r", d)));
        idx.push_back(axes.back()->var);
        if (keepdims) ++o;
      } else {
        idx.push_back(i[o++]);
      }
    }
    Expr v = Read(in, idx);
    if (kind == ReduceKind::kMax) return MaxOf(v, axes);
    if (kind == ReduceKind::kMin) return MinOf(v, axes);
    return Sum(v, axes);
  });
  Tensor out = total;
  if (kind == ReduceKind::kMean) {
    out = Compute("out", out_shape, [&](const std::vector<Var>& i) {
      return Read(total, std::vector<Expr>(i.begin(), i.end())) *
             (1.0f / static_cast<float>(count));
    });
  }
  Schedule s({out});
  // The reduction loops sit inside each output element; the reductions
  // graphs need (global pooling, means over a few axes) are small.
  std::vector<Tensor> stages = {total};
  if (out != total) stages.push_back(out);
  for (const Tensor& t : stages) {
    Stage& st = s[t];
    Axis all = st.axis(0);
    for (size_t d = 1; d < out_shape.size(); ++d) all = st.Fuse(all, st.axis(d));
    st.Parallel(all);
  }
  return Lower(s, {in, out}, name);
}

}  // namespace kiln::ir::ops

#include "ir/ops/elementwise.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ir/lower/lower.h"
#include "ir/ops/default_schedule.h"
#include "ir/schedule.h"
#include "ir/tensor.h"

namespace kiln::ir::ops {

absl::StatusOr<std::vector<int64_t>> BroadcastShapes(
    const std::vector<std::vector<int64_t>>& shapes) {
  size_t rank = 0;
  for (const auto& s : shapes) rank = std::max(rank, s.size());
  std::vector<int64_t> out(rank, 1);
  for (const auto& s : shapes) {
    for (size_t k = 0; k < s.size(); ++k) {
      const size_t d = rank - s.size() + k;
      if (s[k] < 1) {
        return absl::InvalidArgumentError(
            absl::StrCat("shape [", absl::StrJoin(s, ", "), "] has a non-positive dimension"));
      }
      if (s[k] == 1) continue;
      if (out[d] != 1 && out[d] != s[k]) {
        return absl::InvalidArgumentError(absl::StrCat(
            "shapes do not broadcast: dimension ", d, " is ", out[d], " in one input and ",
            s[k], " in [", absl::StrJoin(s, ", "), "]"));
      }
      out[d] = s[k];
    }
  }
  return out;
}

absl::StatusOr<LoweredFunc> BuildElementwise(
    const std::vector<std::vector<int64_t>>& input_shapes,
    const std::function<Expr(const std::vector<Expr>&)>& fn, const targets::Target& target,
    const std::string& name, const std::vector<DataType>& input_types) {
  auto shape = BroadcastShapes(input_shapes);
  if (!shape.ok()) return shape.status();
  std::vector<int64_t> out_shape = *shape;
  if (out_shape.empty()) out_shape = {1};
  std::vector<Tensor> inputs;
  for (size_t k = 0; k < input_shapes.size(); ++k) {
    std::vector<int64_t> s = input_shapes[k];
    if (s.empty()) s = {1};
    const DataType type = k < input_types.size() ? input_types[k] : DataType::Float32();
    inputs.push_back(Placeholder(absl::StrCat("in", k), s, type));
  }
  const size_t rank = out_shape.size();
  Tensor out = Compute("out", out_shape, [&](const std::vector<Var>& i) {
    std::vector<Expr> values;
    for (const Tensor& t : inputs) {
      std::vector<Expr> idx;
      for (size_t k = 0; k < t->shape.size(); ++k) {
        const size_t d = rank - t->shape.size() + k;
        idx.push_back(t->shape[k] == 1 ? Expr(0) : Expr(i[d]));
      }
      values.push_back(Read(t, idx));
    }
    return fn(values);
  });
  Schedule s({out});
  ScheduleRowsAndVectors(s[out], target.vector_lanes);
  std::vector<Tensor> args = inputs;
  args.push_back(out);
  return Lower(s, args, name);
}

}  // namespace kiln::ir::ops

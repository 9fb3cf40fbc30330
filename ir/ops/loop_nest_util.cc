#include "ir/ops/loop_nest_util.h"

namespace kiln::ir::ops {

Buffer ArgumentBuffer(const std::string& name, DataType type, const std::vector<int64_t>& shape) {
  std::vector<Expr> extents;
  for (int64_t d : shape) extents.push_back(Expr(d));
  if (extents.empty()) extents.push_back(Expr(int64_t{1}));
  return MakeBuffer(name, type, extents, MemoryScope::kGlobal);
}

int64_t ShapeProduct(const std::vector<int64_t>& shape, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t d = begin; d < end; ++d) p *= shape[d];
  return p;
}

std::vector<int64_t> RowMajorStrides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> strides(shape.size());
  for (size_t d = 0; d < shape.size(); ++d) strides[d] = ShapeProduct(shape, d + 1, shape.size());
  return strides;
}

}  // namespace kiln::ir::ops

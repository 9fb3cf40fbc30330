#include "ir/graph/ops_common.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace kiln::graph::ops {

int64_t NumElements(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::vector<int64_t> Strides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d) s[d] = s[d + 1] * shape[d + 1];
  return s;
}

absl::StatusOr<std::vector<int64_t>> Broadcast(const std::vector<int64_t>& a,
                                               const std::vector<int64_t>& b) {
  const size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> out(rank);
  for (size_t d = 0; d < rank; ++d) {
    const int64_t x = d + a.size() >= rank ? a[d + a.size() - rank] : 1;
    const int64_t y = d + b.size() >= rank ? b[d + b.size() - rank] : 1;
    if (x != y && x != 1 && y != 1) {
      return absl::InvalidArgumentError(absl::StrCat("shapes ", runtime::ShapeToString(a), " and ",
                                                     runtime::ShapeToString(b),
                                                     " do not broadcast"));
    }
    out[d] = x == 1 ? y : x;
  }
  return out;
}

int64_t BroadcastIndex(const std::vector<int64_t>& index, const std::vector<int64_t>& shape) {
  int64_t flat = 0;
  const size_t offset = index.size() - shape.size();
  for (size_t d = 0; d < shape.size(); ++d) {
    flat = flat * shape[d] + (shape[d] == 1 ? 0 : index[d + offset]);
  }
  return flat;
}

bool NextIndex(std::vector<int64_t>& index, const std::vector<int64_t>& shape) {
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    if (++index[d] < shape[d]) return true;
    index[d] = 0;
  }
  return false;
}

absl::StatusOr<int64_t> NormalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("axis ", axis, " is out of range for rank ", rank));
  }
  return axis < 0 ? axis + rank : axis;
}

absl::StatusOr<NDArray> Allocate(const TensorType& type) {
  return NDArray::Empty(type.shape, type.dtype);
}

double Load(const NDArray& a, int64_t i) {
  switch (a.dtype()) {
    case DType::kFloat32: return a.data<float>()[i];
    case DType::kInt32: return a.data<int32_t>()[i];
    case DType::kInt64: return static_cast<double>(a.data<int64_t>()[i]);
    case DType::kBool: return a.data<uint8_t>()[i] != 0;
    case DType::kUInt8: return a.data<uint8_t>()[i];
  }
  return 0;
}

void Store(NDArray& a, int64_t i, double v) {
  switch (a.dtype()) {
    case DType::kFloat32: a.data<float>()[i] = static_cast<float>(v); return;
    case DType::kInt32: a.data<int32_t>()[i] = static_cast<int32_t>(v); return;
    case DType::kInt64: a.data<int64_t>()[i] = static_cast<int64_t>(v); return;
    case DType::kBool: a.data<uint8_t>()[i] = v != 0; return;
    case DType::kUInt8: a.data<uint8_t>()[i] = static_cast<uint8_t>(v); return;
  }
}

absl::Status ExpectInputs(const std::vector<const TensorType*>& in, size_t min, size_t max) {
  size_t present = 0;
  for (size_t k = 0; k < in.size(); ++k) {
    if (in[k] != nullptr) present = k + 1;
  }
  if (in.size() < min || present < min || in.size() > max) {
    return absl::InvalidArgumentError(absl::StrCat("takes ", min == max ? "" : "between ", min,
                                                   min == max ? "" : absl::StrCat(" and ", max),
                                                   " inputs, got ", in.size()));
  }
  for (size_t k = 0; k < min; ++k) {
    if (in[k] == nullptr) return absl::InvalidArgumentError(absl::StrCat("input ", k, " is required"));
  }
  return absl::OkStatus();
}

}  // namespace kiln::graph::ops

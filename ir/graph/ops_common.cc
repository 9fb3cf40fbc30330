#include "ir/graph/ops_common.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "runtime/dtype.h"

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
  return runtime::ElementAsDouble(a.raw_data(), a.dtype(), i);
}

namespace {

// v's integer value modulo 2^64 (NaN is 0; beyond 64 bits saturates).
uint64_t IntegerBits(double v) {
  if (std::isnan(v)) return 0;
  v = std::trunc(v);
  if (v >= 18446744073709551616.0) return ~uint64_t{0};
  if (v >= 9223372036854775808.0) return static_cast<uint64_t>(v);
  if (v < -9223372036854775808.0) return uint64_t{1} << 63;
  return static_cast<uint64_t>(static_cast<int64_t>(v));
}

template <typename T>
void Put(NDArray& a, int64_t i, T v) {
  a.data<T>()[i] = v;
}

}  // namespace

void Store(NDArray& a, int64_t i, double v) {
  const uint64_t bits = IntegerBits(v);
  switch (a.dtype()) {
    case DType::kFloat32: return Put(a, i, static_cast<float>(v));
    case DType::kFloat64: return Put(a, i, v);
    case DType::kFloat16: return Put(a, i, runtime::FloatToHalf(static_cast<float>(v)));
    case DType::kBFloat16: return Put(a, i, runtime::FloatToBFloat16(static_cast<float>(v)));
    case DType::kBool: return Put<uint8_t>(a, i, v != 0);
    // Integers wrap, as C's and NumPy's integer arithmetic does.
    case DType::kInt8: return Put(a, i, static_cast<int8_t>(bits));
    case DType::kInt16: return Put(a, i, static_cast<int16_t>(bits));
    case DType::kInt32: return Put(a, i, static_cast<int32_t>(bits));
    case DType::kInt64: return Put(a, i, static_cast<int64_t>(bits));
    case DType::kUInt8: return Put(a, i, static_cast<uint8_t>(bits));
    case DType::kUInt16: return Put(a, i, static_cast<uint16_t>(bits));
    case DType::kUInt32: return Put(a, i, static_cast<uint32_t>(bits));
    case DType::kUInt64: return Put(a, i, bits);
  }
}

int64_t LoadInteger(const NDArray& a, int64_t i) {
  switch (a.dtype()) {
    case DType::kInt8: return a.data<int8_t>()[i];
    case DType::kInt16: return a.data<int16_t>()[i];
    case DType::kInt32: return a.data<int32_t>()[i];
    case DType::kInt64: return a.data<int64_t>()[i];
    case DType::kUInt8: return a.data<uint8_t>()[i];
    case DType::kBool: return a.data<uint8_t>()[i] != 0;
    case DType::kUInt16: return a.data<uint16_t>()[i];
    case DType::kUInt32: return a.data<uint32_t>()[i];
    case DType::kUInt64: return static_cast<int64_t>(a.data<uint64_t>()[i]);
    default: return static_cast<int64_t>(Load(a, i));
  }
}

void StoreInteger(NDArray& a, int64_t i, int64_t bits) {
  const uint64_t u = static_cast<uint64_t>(bits);
  switch (a.dtype()) {
    case DType::kInt8:
    case DType::kUInt8: return Put(a, i, static_cast<uint8_t>(u));
    case DType::kBool: return Put<uint8_t>(a, i, bits != 0);
    case DType::kInt16:
    case DType::kUInt16: return Put(a, i, static_cast<uint16_t>(u));
    case DType::kInt32:
    case DType::kUInt32: return Put(a, i, static_cast<uint32_t>(u));
    case DType::kInt64:
    case DType::kUInt64: return Put(a, i, u);
    default: return Store(a, i, runtime::IsUnsignedDType(a.dtype()) ? static_cast<double>(u)
                                                                      : static_cast<double>(bits));
  }
}

void StoreSaturated(NDArray& a, int64_t i, double v) {
  if (!runtime::IsIntegerDType(a.dtype())) return Store(a, i, v);
  if (std::isnan(v)) return Store(a, i, 0);
  v = std::trunc(v);
  const DType t = a.dtype();
  // 64-bit limits are not doubles: written directly.
  if (t == DType::kInt64 && v >= 9223372036854775808.0) {
    a.data<int64_t>()[i] = INT64_MAX;
    return;
  }
  if (t == DType::kUInt64 && v >= 18446744073709551616.0) {
    a.data<uint64_t>()[i] = UINT64_MAX;
    return;
  }
  // Below 2^63 (int64) and 2^64 (uint64) every remaining double fits.
  double lo = 0, hi = v;
  switch (t) {
    case DType::kInt8: lo = -128, hi = 127; break;
    case DType::kInt16: lo = -32768, hi = 32767; break;
    case DType::kInt32: lo = -2147483648.0, hi = 2147483647.0; break;
    case DType::kInt64: lo = -9223372036854775808.0; break;
    case DType::kUInt8: hi = 255; break;
    case DType::kUInt16: hi = 65535; break;
    case DType::kUInt32: hi = 4294967295.0; break;
    default: break;  // uint64
  }
  Store(a, i, std::min(std::max(v, lo), std::max(hi, lo)));
}

absl::Status ExpectFloat32(const std::vector<const TensorType*>& in) {
  for (size_t k = 0; k < in.size(); ++k) {
    if (in[k] != nullptr && in[k]->dtype != DType::kFloat32) {
      return absl::UnimplementedError(absl::StrCat("input ", k, " of type ",
                                                   runtime::DTypeName(in[k]->dtype),
                                                   "; only float32 is supported"));
    }
  }
  return absl::OkStatus();
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

#include "runtime/ndarray.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runtime/aligned_memory.h"

namespace kiln::runtime {

std::string ShapeToString(const std::vector<int64_t>& shape) {
  return absl::StrCat("[", absl::StrJoin(shape, ", "), "]");
}

absl::StatusOr<NDArray> NDArray::Empty(std::vector<int64_t> shape, DType dtype) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("negative dimension in shape ", ShapeToString(shape)));
    }
    if (d != 0 && n > (int64_t{1} << 40) / d) {
      return absl::InvalidArgumentError(
          absl::StrCat("shape ", ShapeToString(shape), " is too large"));
    }
    n *= d;
  }
  const int64_t bytes = n * DTypeBytes(dtype);
  void* p = AlignedAlloc(bytes);
  if (p == nullptr) {
    return absl::ResourceExhaustedError(absl::StrCat("cannot allocate ", bytes, " bytes"));
  }
  std::memset(p, 0, bytes);
  NDArray a;
  a.storage_ = std::shared_ptr<void>(p, AlignedFree);
  a.data_ = p;
  a.shape_ = std::move(shape);
  a.dtype_ = dtype;
  return a;
}

NDArray NDArray::View(void* data, std::vector<int64_t> shape, DType dtype) {
  NDArray a;
  a.data_ = data;
  a.shape_ = std::move(shape);
  a.dtype_ = dtype;
  return a;
}

int64_t NDArray::NumElements() const {
  int64_t n = 1;
  for (int64_t d : shape_) n *= d;
  return n;
}

absl::Status NDArray::CopyFrom(const NDArray& other) {
  if (other.shape_ != shape_ || other.dtype_ != dtype_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot copy a ", DTypeName(other.dtype_), " tensor of shape ", other.ShapeString(),
        " into a ", DTypeName(dtype_), " tensor of shape ", ShapeString()));
  }
  if (NumBytes() > 0) std::memcpy(data_, other.data_, NumBytes());
  return absl::OkStatus();
}

absl::StatusOr<NDArray> NDArray::Clone() const {
  auto copy = Empty(shape_, dtype_);
  if (!copy.ok()) return copy.status();
  if (auto st = copy->CopyFrom(*this); !st.ok()) return st;
  return copy;
}

std::string NDArray::ShapeString() const { return ShapeToString(shape_); }

}  // namespace kiln::runtime

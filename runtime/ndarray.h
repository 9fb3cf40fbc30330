// A tensor in memory: shape, element type and 64-byte aligned storage.
//
// Copies are cheap handles sharing storage (Clone() copies the data). An
// NDArray may also view memory it does not own, e.g. a caller's buffer.
#ifndef KILN_RUNTIME_NDARRAY_H_
#define KILN_RUNTIME_NDARRAY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/dtype.h"

namespace kiln::runtime {

class NDArray {
 public:
  NDArray() = default;

  // Zero-filled. InvalidArgument for negative dimensions; ResourceExhausted
  // when the allocation fails.
  static absl::StatusOr<NDArray> Empty(std::vector<int64_t> shape, DType dtype);
  // A view of `data`, which must outlive every copy of the handle.
  static NDArray View(void* data, std::vector<int64_t> shape, DType dtype);

  const std::vector<int64_t>& shape() const { return shape_; }
  DType dtype() const { return dtype_; }
  int64_t NumElements() const;
  int64_t NumBytes() const { return NumElements() * DTypeBytes(dtype_); }
  bool defined() const { return data_ != nullptr; }

  void* raw_data() const { return data_; }
  template <typename T>
  T* data() const {
    return static_cast<T*>(data_);
  }

  // Copies values from `other`, which must have the same shape and dtype.
  absl::Status CopyFrom(const NDArray& other);
  absl::StatusOr<NDArray> Clone() const;

  std::string ShapeString() const;  // "[1, 3, 224, 224]"

 private:
  std::shared_ptr<void> storage_;  // null for views
  void* data_ = nullptr;
  std::vector<int64_t> shape_;
  DType dtype_ = DType::kFloat32;
};

std::string ShapeToString(const std::vector<int64_t>& shape);

}  // namespace kiln::runtime

#endif  // KILN_RUNTIME_NDARRAY_H_

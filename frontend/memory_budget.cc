#include "frontend/memory_budget.h"

#include "absl/strings/str_cat.h"
#include "runtime/ndarray.h"

namespace kiln::frontend {

absl::StatusOr<int64_t> CheckTensorBytes(const std::string& what,
                                         const std::vector<int64_t>& shape,
                                         runtime::DType dtype, int64_t budget) {
  int64_t bytes = runtime::DTypeBytes(dtype);
  bool overflow = false;
  for (int64_t d : shape) {
    if (d < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, " has the shape ", runtime::ShapeToString(shape), " with a negative dimension"));
    }
    overflow |= __builtin_mul_overflow(bytes, d, &bytes);
  }
  // A zero dimension makes the tensor empty even after an overflow.
  for (int64_t d : shape) overflow &= d != 0;
  if (overflow || bytes > budget) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " of shape ", runtime::ShapeToString(shape), " (", runtime::DTypeName(dtype),
        ") would take ", overflow ? "more than 2^63" : absl::StrCat(bytes), " bytes, over the "
        "memory budget of ", budget, " bytes (kiln's --memory_budget, by default this "
        "machine's memory)"));
  }
  return bytes;
}

}  // namespace kiln::frontend

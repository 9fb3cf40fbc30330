// Element types of runtime tensors. The runtime keeps its own enum so that
// it depends on nothing else in kiln.
#ifndef KILN_RUNTIME_DTYPE_H_
#define KILN_RUNTIME_DTYPE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kiln::runtime {

enum class DType : uint8_t { kFloat32, kInt32, kInt64, kBool, kUInt8 };

int64_t DTypeBytes(DType t);
const char* DTypeName(DType t);  // "float32", ...
absl::StatusOr<DType> ParseDType(absl::string_view name);

}  // namespace kiln::runtime

#endif  // KILN_RUNTIME_DTYPE_H_

#include "runtime/dtype.h"

#include "absl/strings/str_cat.h"

namespace kiln::runtime {
namespace {

constexpr DType kAll[] = {DType::kFloat32, DType::kInt32, DType::kInt64, DType::kBool,
                          DType::kUInt8};

}  // namespace

int64_t DTypeBytes(DType t) {
  switch (t) {
    case DType::kFloat32: return 4;
    case DType::kInt32: return 4;
    case DType::kInt64: return 8;
    case DType::kBool: return 1;
    case DType::kUInt8: return 1;
  }
  return 0;
}

const char* DTypeName(DType t) {
  switch (t) {
    case DType::kFloat32: return "float32";
    case DType::kInt32: return "int32";
    case DType::kInt64: return "int64";
    case DType::kBool: return "bool";
    case DType::kUInt8: return "uint8";
  }
  return "?";
}

absl::StatusOr<DType> ParseDType(absl::string_view name) {
  for (DType t : kAll) {
    if (name == DTypeName(t)) return t;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown dtype '", name, "'; expected float32, int32, int64, bool or uint8"));
}

}  // namespace kiln::runtime

#include "ir/data_type.h"

#include "absl/strings/str_cat.h"

namespace kiln::ir {

std::string DataType::ToString() const {
  const char* name = "float32";
  switch (scalar_) {
    case ScalarType::kBool: name = "bool"; break;
    case ScalarType::kInt32: name = "int32"; break;
    case ScalarType::kInt64: name = "int64"; break;
    case ScalarType::kFloat32: name = "float32"; break;
  }
  return lanes_ == 1 ? std::string(name) : absl::StrCat(name, "x", lanes_);
}

}  // namespace kiln::ir

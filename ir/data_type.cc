#include "ir/data_type.h"

#include "absl/strings/str_cat.h"
#include "runtime/dtype.h"

namespace kiln::ir {

std::string DataType::ToString() const {
  const char* name = "float32";
  switch (scalar_) {
    case ScalarType::kBool: name = "bool"; break;
    case ScalarType::kInt8: name = "int8"; break;
    case ScalarType::kInt16: name = "int16"; break;
    case ScalarType::kInt32: name = "int32"; break;
    case ScalarType::kInt64: name = "int64"; break;
    case ScalarType::kUInt8: name = "uint8"; break;
    case ScalarType::kUInt16: name = "uint16"; break;
    case ScalarType::kUInt32: name = "uint32"; break;
    case ScalarType::kUInt64: name = "uint64"; break;
    case ScalarType::kFloat16: name = "float16"; break;
    case ScalarType::kBFloat16: name = "bfloat16"; break;
    case ScalarType::kFloat32: name = "float32"; break;
    case ScalarType::kFloat64: name = "float64"; break;
  }
  return lanes_ == 1 ? std::string(name) : absl::StrCat(name, "x", lanes_);
}

int64_t WrapInt(ScalarType t, int64_t v) {
  const uint64_t u = static_cast<uint64_t>(v);
  switch (t) {
    case ScalarType::kBool: return v != 0;
    case ScalarType::kInt8: return static_cast<int8_t>(u);
    case ScalarType::kInt16: return static_cast<int16_t>(u);
    case ScalarType::kInt32: return static_cast<int32_t>(u);
    case ScalarType::kUInt8: return static_cast<uint8_t>(u);
    case ScalarType::kUInt16: return static_cast<uint16_t>(u);
    case ScalarType::kUInt32: return static_cast<uint32_t>(u);
    default: return v;
  }
}

DataType DataTypeOf(runtime::DType t) {
  switch (t) {
    case runtime::DType::kFloat32: return DataType::Float32();
    case runtime::DType::kFloat64: return DataType::Float64();
    case runtime::DType::kFloat16: return DataType(ScalarType::kFloat16);
    case runtime::DType::kBFloat16: return DataType(ScalarType::kBFloat16);
    case runtime::DType::kBool: return DataType::Bool();
    case runtime::DType::kInt8: return DataType(ScalarType::kInt8);
    case runtime::DType::kInt16: return DataType(ScalarType::kInt16);
    case runtime::DType::kInt32: return DataType::Int32();
    case runtime::DType::kInt64: return DataType::Int64();
    case runtime::DType::kUInt8: return DataType(ScalarType::kUInt8);
    case runtime::DType::kUInt16: return DataType(ScalarType::kUInt16);
    case runtime::DType::kUInt32: return DataType(ScalarType::kUInt32);
    case runtime::DType::kUInt64: return DataType(ScalarType::kUInt64);
  }
  return DataType::Float32();
}

}  // namespace kiln::ir

// Element types of kiln's IR: a scalar kind and a vector lane count.
#ifndef KILN_IR_DATA_TYPE_H_
#define KILN_IR_DATA_TYPE_H_

#include <cstdint>
#include <string>

namespace kiln::runtime {
enum class DType : uint8_t;
}  // namespace kiln::runtime

namespace kiln::ir {

// Signedness is part of the type: division, remainder, comparison, min/max,
// shifts right and conversions differ between kInt32 and kUInt32.
// kFloat16 and kBFloat16 are storage types: they are loaded, stored, moved
// and cast (to and from the other types, through float32), never computed
// with.
enum class ScalarType : uint8_t {
  kBool,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kUInt8,
  kUInt16,
  kUInt32,
  kUInt64,
  kFloat16,
  kBFloat16,
  kFloat32,
  kFloat64,
};

class DataType {
 public:
  constexpr DataType() : scalar_(ScalarType::kFloat32), lanes_(1) {}
  constexpr DataType(ScalarType scalar, int lanes = 1)
      : scalar_(scalar), lanes_(lanes) {}

  static constexpr DataType Bool(int lanes = 1) { return {ScalarType::kBool, lanes}; }
  static constexpr DataType Int32(int lanes = 1) { return {ScalarType::kInt32, lanes}; }
  static constexpr DataType Int64(int lanes = 1) { return {ScalarType::kInt64, lanes}; }
  static constexpr DataType UInt8(int lanes = 1) { return {ScalarType::kUInt8, lanes}; }
  static constexpr DataType UInt16(int lanes = 1) { return {ScalarType::kUInt16, lanes}; }
  static constexpr DataType Float32(int lanes = 1) { return {ScalarType::kFloat32, lanes}; }
  static constexpr DataType Float64(int lanes = 1) { return {ScalarType::kFloat64, lanes}; }

  constexpr ScalarType scalar() const { return scalar_; }
  constexpr int lanes() const { return lanes_; }
  constexpr bool is_scalar() const { return lanes_ == 1; }
  constexpr bool is_vector() const { return lanes_ > 1; }
  constexpr bool is_float() const {
    return scalar_ == ScalarType::kFloat32 || scalar_ == ScalarType::kFloat64 ||
           is_half_float();
  }
  // float16 or bfloat16: storage only.
  constexpr bool is_half_float() const {
    return scalar_ == ScalarType::kFloat16 || scalar_ == ScalarType::kBFloat16;
  }
  constexpr bool is_int() const { return is_signed_int() || is_uint(); }
  constexpr bool is_signed_int() const {
    return scalar_ == ScalarType::kInt8 || scalar_ == ScalarType::kInt16 ||
           scalar_ == ScalarType::kInt32 || scalar_ == ScalarType::kInt64;
  }
  constexpr bool is_uint() const {
    return scalar_ == ScalarType::kUInt8 || scalar_ == ScalarType::kUInt16 ||
           scalar_ == ScalarType::kUInt32 || scalar_ == ScalarType::kUInt64;
  }
  constexpr bool is_bool() const { return scalar_ == ScalarType::kBool; }
  constexpr int bits() const {
    switch (scalar_) {
      case ScalarType::kBool: return 1;
      case ScalarType::kInt8:
      case ScalarType::kUInt8: return 8;
      case ScalarType::kInt16:
      case ScalarType::kUInt16:
      case ScalarType::kFloat16:
      case ScalarType::kBFloat16: return 16;
      case ScalarType::kInt32:
      case ScalarType::kUInt32:
      case ScalarType::kFloat32: return 32;
      case ScalarType::kInt64:
      case ScalarType::kUInt64:
      case ScalarType::kFloat64: return 64;
    }
    return 32;
  }
  // Bytes one scalar element takes in memory (bool is stored as one byte).
  constexpr int bytes() const { return scalar_ == ScalarType::kBool ? 1 : bits() / 8; }

  constexpr DataType element_of() const { return {scalar_, 1}; }
  constexpr DataType with_lanes(int lanes) const { return {scalar_, lanes}; }

  constexpr bool operator==(const DataType& o) const {
    return scalar_ == o.scalar_ && lanes_ == o.lanes_;
  }
  constexpr bool operator!=(const DataType& o) const { return !(*this == o); }

  // "float32", "int64x8", ...
  std::string ToString() const;

 private:
  ScalarType scalar_;
  int lanes_;
};

// An integer of type `t` held in 64 bits: wrapped to t's width, signed types
// sign-extended, unsigned ones zero-extended (uint64 keeps its bits), bool
// 0 or 1. Integer constants and the interpreter keep values so.
int64_t WrapInt(ScalarType t, int64_t v);

// The IR type of a runtime dtype (of a tensor's elements).
DataType DataTypeOf(runtime::DType t);

}  // namespace kiln::ir

#endif  // KILN_IR_DATA_TYPE_H_

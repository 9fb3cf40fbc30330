// Element types of kiln's IR: a scalar kind and a vector lane count.
#ifndef KILN_IR_DATA_TYPE_H_
#define KILN_IR_DATA_TYPE_H_

#include <cstdint>
#include <string>

namespace kiln::ir {

enum class ScalarType : uint8_t { kBool, kInt32, kInt64, kFloat32 };

class DataType {
 public:
  constexpr DataType() : scalar_(ScalarType::kFloat32), lanes_(1) {}
  constexpr DataType(ScalarType scalar, int lanes = 1)
      : scalar_(scalar), lanes_(lanes) {}

  static constexpr DataType Bool(int lanes = 1) { return {ScalarType::kBool, lanes}; }
  static constexpr DataType Int32(int lanes = 1) { return {ScalarType::kInt32, lanes}; }
  static constexpr DataType Int64(int lanes = 1) { return {ScalarType::kInt64, lanes}; }
  static constexpr DataType Float32(int lanes = 1) { return {ScalarType::kFloat32, lanes}; }

  constexpr ScalarType scalar() const { return scalar_; }
  constexpr int lanes() const { return lanes_; }
  constexpr bool is_scalar() const { return lanes_ == 1; }
  constexpr bool is_vector() const { return lanes_ > 1; }
  constexpr bool is_float() const { return scalar_ == ScalarType::kFloat32; }
  constexpr bool is_int() const {
    return scalar_ == ScalarType::kInt32 || scalar_ == ScalarType::kInt64;
  }
  constexpr bool is_bool() const { return scalar_ == ScalarType::kBool; }
  constexpr int bits() const {
    return scalar_ == ScalarType::kBool    ? 1
           : scalar_ == ScalarType::kInt64 ? 64
                                           : 32;
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

}  // namespace kiln::ir

#endif  // KILN_IR_DATA_TYPE_H_

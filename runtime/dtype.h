// Element types of runtime tensors. The runtime keeps its own enum so that
// it depends on nothing else in kiln.
#ifndef KILN_RUNTIME_DTYPE_H_
#define KILN_RUNTIME_DTYPE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kiln::runtime {

// Values are stored in execution plans: new types are appended, so an
// existing value never changes meaning. float16 and bfloat16 are storage
// types: kernels convert them to and from float32.
enum class DType : uint8_t {
  kFloat32,
  kInt32,
  kInt64,
  kBool,
  kUInt8,
  kInt8,
  kInt16,
  kUInt16,
  kUInt32,
  kUInt64,
  kFloat64,
  kFloat16,
  kBFloat16,
};
inline constexpr DType kLastDType = DType::kBFloat16;

int64_t DTypeBytes(DType t);
const char* DTypeName(DType t);  // "float32", ... (NumPy's names)
absl::StatusOr<DType> ParseDType(absl::string_view name);
// Whether `code` (read from a file) names a DType.
bool IsDTypeCode(uint8_t code);

bool IsFloatDType(DType t);     // float16, bfloat16, float32, float64
bool IsIntegerDType(DType t);   // signed and unsigned integers, not bool
bool IsUnsignedDType(DType t);  // uint8 ... uint64

// IEEE half and bfloat16 bits <-> float, rounding to nearest even (NaN stays
// NaN, quiet; overflow becomes infinity).
float HalfToFloat(uint16_t bits);
uint16_t FloatToHalf(float value);
float BFloat16ToFloat(uint16_t bits);
uint16_t FloatToBFloat16(float value);

// Element i of an array of type `t` at `data`, as a double (64-bit integers
// beyond 2^53 round).
double ElementAsDouble(const void* data, DType t, int64_t i);

}  // namespace kiln::runtime

#endif  // KILN_RUNTIME_DTYPE_H_

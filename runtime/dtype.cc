#include "runtime/dtype.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace kiln::runtime {
namespace {

constexpr DType kAll[] = {DType::kFloat32, DType::kInt32,   DType::kInt64,   DType::kBool,
                          DType::kUInt8,   DType::kInt8,    DType::kInt16,   DType::kUInt16,
                          DType::kUInt32,  DType::kUInt64,  DType::kFloat64, DType::kFloat16,
                          DType::kBFloat16};

uint32_t Bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

float FromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

}  // namespace

int64_t DTypeBytes(DType t) {
  switch (t) {
    case DType::kBool:
    case DType::kUInt8:
    case DType::kInt8: return 1;
    case DType::kInt16:
    case DType::kUInt16:
    case DType::kFloat16:
    case DType::kBFloat16: return 2;
    case DType::kFloat32:
    case DType::kInt32:
    case DType::kUInt32: return 4;
    case DType::kInt64:
    case DType::kUInt64:
    case DType::kFloat64: return 8;
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
    case DType::kInt8: return "int8";
    case DType::kInt16: return "int16";
    case DType::kUInt16: return "uint16";
    case DType::kUInt32: return "uint32";
    case DType::kUInt64: return "uint64";
    case DType::kFloat64: return "float64";
    case DType::kFloat16: return "float16";
    case DType::kBFloat16: return "bfloat16";
  }
  return "?";
}

absl::StatusOr<DType> ParseDType(absl::string_view name) {
  for (DType t : kAll) {
    if (name == DTypeName(t)) return t;
  }
  std::vector<std::string> names;
  for (DType t : kAll) names.push_back(DTypeName(t));
  return absl::InvalidArgumentError(
      absl::StrCat("unknown dtype '", name, "'; expected one of ", absl::StrJoin(names, ", ")));
}

bool IsDTypeCode(uint8_t code) { return code <= static_cast<uint8_t>(kLastDType); }

bool IsFloatDType(DType t) {
  return t == DType::kFloat32 || t == DType::kFloat64 || t == DType::kFloat16 ||
         t == DType::kBFloat16;
}

bool IsUnsignedDType(DType t) {
  return t == DType::kUInt8 || t == DType::kUInt16 || t == DType::kUInt32 || t == DType::kUInt64;
}

bool IsIntegerDType(DType t) { return !IsFloatDType(t) && t != DType::kBool; }

float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  const uint32_t exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  if (exponent == 0x1f) return FromBits(sign | 0x7f800000 | (mantissa << 13));
  if (exponent != 0) return FromBits(sign | ((exponent + 112) << 23) | (mantissa << 13));
  // Subnormal (or zero): mantissa * 2^-24, exact in float.
  const float magnitude = static_cast<float>(mantissa) * 5.9604644775390625e-8f;
  return sign ? -magnitude : magnitude;
}

uint16_t FloatToHalf(float value) {
  const uint32_t u = Bits(value);
  const uint16_t sign = static_cast<uint16_t>((u >> 16) & 0x8000);
  const uint32_t a = u & 0x7fffffff;
  if (a > 0x7f800000) return sign | 0x7e00 | static_cast<uint16_t>((a >> 13) & 0x3ff);  // NaN
  if (a >= 0x477ff000) return sign | 0x7c00;  // rounds to 65520 or more: infinity
  if (a < 0x38800000) {
    // Below the smallest normal half: a multiple of 2^-24, rounded to
    // nearest even by the float addition of 0.5 (2^-1 has the right ulp).
    const float shifted = FromBits(a) + 0.5f;
    return sign | static_cast<uint16_t>(Bits(shifted) - Bits(0.5f));
  }
  const uint32_t odd = (a >> 13) & 1;
  const uint32_t rounded = a + 0xc8000fff + odd;  // rebias (-112 << 23) and round
  return sign | static_cast<uint16_t>(rounded >> 13);
}

float BFloat16ToFloat(uint16_t bits) { return FromBits(static_cast<uint32_t>(bits) << 16); }

uint16_t FloatToBFloat16(float value) {
  const uint32_t u = Bits(value);
  if ((u & 0x7fffffff) > 0x7f800000) return static_cast<uint16_t>((u >> 16) | 0x40);  // quiet NaN
  return static_cast<uint16_t>((u + 0x7fff + ((u >> 16) & 1)) >> 16);
}

double ElementAsDouble(const void* data, DType t, int64_t i) {
  auto at = [&](auto type_tag) {
    decltype(type_tag) v;
    std::memcpy(&v, static_cast<const char*>(data) + i * sizeof(v), sizeof(v));
    return v;
  };
  switch (t) {
    case DType::kFloat32: return at(float());
    case DType::kFloat64: return at(double());
    case DType::kInt32: return at(int32_t());
    case DType::kInt64: return static_cast<double>(at(int64_t()));
    case DType::kBool: return at(uint8_t()) != 0;
    case DType::kUInt8: return at(uint8_t());
    case DType::kInt8: return at(int8_t());
    case DType::kInt16: return at(int16_t());
    case DType::kUInt16: return at(uint16_t());
    case DType::kUInt32: return at(uint32_t());
    case DType::kUInt64: return static_cast<double>(at(uint64_t()));
    case DType::kFloat16: return HalfToFloat(at(uint16_t()));
    case DType::kBFloat16: return BFloat16ToFloat(at(uint16_t()));
  }
  return 0;
}

}  // namespace kiln::runtime

#include "runtime/dtype.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "gtest/gtest.h"

namespace kiln::runtime {
namespace {

TEST(DTypeTest, NamesParseBackAndCodesEndAtTheLastType) {
  for (uint8_t code = 0; IsDTypeCode(code); ++code) {
    const DType t = static_cast<DType>(code);
    auto parsed = ParseDType(DTypeName(t));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, t);
    EXPECT_GT(DTypeBytes(t), 0);
  }
  EXPECT_FALSE(IsDTypeCode(static_cast<uint8_t>(kLastDType) + 1));
  EXPECT_FALSE(IsDTypeCode(255));
  EXPECT_NE(ParseDType("float128").status().message().find("bfloat16"), std::string::npos);
  EXPECT_TRUE(IsUnsignedDType(DType::kUInt64));
  EXPECT_FALSE(IsUnsignedDType(DType::kInt8));
  EXPECT_TRUE(IsIntegerDType(DType::kUInt16));
  EXPECT_FALSE(IsIntegerDType(DType::kBool));
  EXPECT_TRUE(IsFloatDType(DType::kBFloat16));
}

// Values and rounding as NumPy's float16 (IEEE binary16) gives them.
TEST(DTypeTest, HalfRoundsToNearestEven) {
  EXPECT_EQ(FloatToHalf(1.0f), 0x3c00);
  EXPECT_EQ(FloatToHalf(-2.0f), 0xc000);
  EXPECT_EQ(FloatToHalf(-0.0f), 0x8000);
  EXPECT_EQ(FloatToHalf(65504.0f), 0x7bff);
  EXPECT_EQ(FloatToHalf(65519.0f), 0x7bff);
  EXPECT_EQ(FloatToHalf(65520.0f), 0x7c00);  // rounds up to infinity
  EXPECT_EQ(FloatToHalf(INFINITY), 0x7c00);
  EXPECT_EQ(FloatToHalf(-INFINITY), 0xfc00);
  EXPECT_EQ(FloatToHalf(std::ldexp(1.0f, -24)), 0x0001);         // smallest subnormal
  EXPECT_EQ(FloatToHalf(std::ldexp(1.0f, -25)), 0x0000);         // a tie, to even
  EXPECT_EQ(FloatToHalf(std::ldexp(3.0f, -25)), 0x0002);         // a tie, to even
  EXPECT_EQ(FloatToHalf(std::ldexp(1.0f, -14)), 0x0400);         // smallest normal
  EXPECT_EQ(FloatToHalf(1.0f + std::ldexp(1.0f, -11)), 0x3c00);  // tie, to even
  EXPECT_EQ(FloatToHalf(1.0f + std::ldexp(3.0f, -11)), 0x3c02);  // tie, to even
  EXPECT_EQ(FloatToHalf(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)), 0x3c01);
  const uint16_t nan = FloatToHalf(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan & 0x7c00, 0x7c00);
  EXPECT_NE(nan & 0x3ff, 0);
  // Every half converts to float and back unchanged (NaNs stay NaN).
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = HalfToFloat(static_cast<uint16_t>(h));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(HalfToFloat(FloatToHalf(f)))) << h;
    } else {
      EXPECT_EQ(FloatToHalf(f), h) << h;
    }
  }
  EXPECT_EQ(HalfToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(HalfToFloat(0x3555), 0.333251953125f);
}

TEST(DTypeTest, BFloat16KeepsTheUpperHalfRoundedToNearestEven) {
  EXPECT_EQ(FloatToBFloat16(1.0f), 0x3f80);
  EXPECT_EQ(BFloat16ToFloat(0x3f80), 1.0f);
  EXPECT_EQ(FloatToBFloat16(1.0f + std::ldexp(1.0f, -8)), 0x3f80);  // tie, to even
  EXPECT_EQ(FloatToBFloat16(1.0f + std::ldexp(3.0f, -8)), 0x3f82);  // tie, to even
  EXPECT_EQ(FloatToBFloat16(1.0f + std::ldexp(1.0f, -7)), 0x3f81);
  EXPECT_EQ(FloatToBFloat16(std::numeric_limits<float>::max()), 0x7f80);  // overflows
  const uint16_t nan = FloatToBFloat16(std::numeric_limits<float>::quiet_NaN());
  EXPECT_TRUE(std::isnan(BFloat16ToFloat(nan)));
}

TEST(DTypeTest, ElementAsDoubleReadsEveryType) {
  const uint8_t bytes[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  EXPECT_EQ(ElementAsDouble(bytes, DType::kInt8, 0), -1.0);
  EXPECT_EQ(ElementAsDouble(bytes, DType::kUInt8, 0), 255.0);
  EXPECT_EQ(ElementAsDouble(bytes, DType::kInt16, 0), -1.0);
  EXPECT_EQ(ElementAsDouble(bytes, DType::kUInt16, 0), 65535.0);
  EXPECT_EQ(ElementAsDouble(bytes, DType::kUInt32, 0), 4294967295.0);
  EXPECT_EQ(ElementAsDouble(bytes, DType::kUInt64, 0), 18446744073709551615.0);
  EXPECT_EQ(ElementAsDouble(bytes, DType::kInt64, 0), -1.0);
  EXPECT_EQ(ElementAsDouble(bytes, DType::kBool, 0), 1.0);
  const double d = 0.1;
  EXPECT_EQ(ElementAsDouble(&d, DType::kFloat64, 0), 0.1);
}

}  // namespace
}  // namespace kiln::runtime

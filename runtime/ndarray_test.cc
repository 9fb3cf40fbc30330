#include "runtime/ndarray.h"

#include <cstdint>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kiln::runtime {
namespace {

using ::testing::HasSubstr;

TEST(NDArrayTest, EmptyIsZeroedAndAligned) {
  auto a = NDArray::Empty({2, 3, 5}, DType::kFloat32);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->NumElements(), 30);
  EXPECT_EQ(a->NumBytes(), 120);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a->raw_data()) % 64, 0u);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(a->data<float>()[i], 0.0f);
  EXPECT_EQ(a->ShapeString(), "[2, 3, 5]");
}

TEST(NDArrayTest, HandlesShareAndClonesCopy) {
  auto a = NDArray::Empty({4}, DType::kInt64);
  ASSERT_TRUE(a.ok());
  NDArray shared = *a;
  shared.data<int64_t>()[2] = 7;
  EXPECT_EQ(a->data<int64_t>()[2], 7);
  auto clone = a->Clone();
  ASSERT_TRUE(clone.ok());
  clone->data<int64_t>()[2] = 9;
  EXPECT_EQ(a->data<int64_t>()[2], 7);
}

TEST(NDArrayTest, CopyChecksShapeAndType) {
  auto a = NDArray::Empty({2, 2}, DType::kFloat32);
  auto b = NDArray::Empty({4}, DType::kFloat32);
  auto c = NDArray::Empty({2, 2}, DType::kInt32);
  EXPECT_THAT(a->CopyFrom(*b).message(), HasSubstr("shape [4] into a float32 tensor of shape [2, 2]"));
  EXPECT_THAT(a->CopyFrom(*c).message(), HasSubstr("int32"));
  float values[4] = {1, 2, 3, 4};
  ASSERT_TRUE(a->CopyFrom(NDArray::View(values, {2, 2}, DType::kFloat32)).ok());
  EXPECT_EQ(a->data<float>()[3], 4.0f);
}

TEST(NDArrayTest, BadShapesAreErrors) {
  EXPECT_FALSE(NDArray::Empty({-1}, DType::kFloat32).ok());
  EXPECT_FALSE(NDArray::Empty({1 << 30, 1 << 30}, DType::kFloat32).ok());
  EXPECT_TRUE(NDArray::Empty({0, 3}, DType::kFloat32).ok());
  EXPECT_FALSE(ParseDType("float8").ok());
  EXPECT_EQ(*ParseDType("uint8"), DType::kUInt8);
}

}  // namespace
}  // namespace kiln::runtime

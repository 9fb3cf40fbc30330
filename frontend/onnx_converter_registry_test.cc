#include "frontend/onnx_converter_registry.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kiln::frontend {
namespace {

using ::testing::HasSubstr;

absl::Status Noop(ImportContext&) { return absl::OkStatus(); }

// Static registration, exactly as a converter file does it.
KILN_REGISTER_ONNX_CONVERTER(KilnTestOnlyOp, 3, kLatestOpset, Noop);

std::string RangeFound(const OnnxConverterRegistry& registry, const std::string& op,
                       int64_t opset) {
  const OnnxConverterRegistration* r = registry.Find(op, opset);
  return r == nullptr ? "none" : r->RangeString();
}

TEST(OnnxConverterRegistryTest, StaticRegistrationIsFound) {
  ASSERT_TRUE(OnnxConverters().status().ok()) << OnnxConverters().status();
  const OnnxConverterRegistration* r = OnnxConverters().Find("KilnTestOnlyOp", 7);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->op_type, "KilnTestOnlyOp");
  EXPECT_EQ(r->RangeString(), "3+");
  EXPECT_EQ(OnnxConverters().Find("KilnTestOnlyOp", 2), nullptr);
}

TEST(OnnxConverterRegistryTest, FindPicksTheRangeHoldingTheOpset) {
  OnnxConverterRegistry registry;
  // Registered out of order on purpose: files register in link order.
  ASSERT_TRUE(registry.Register("Clip", 11, kLatestOpset, Noop).ok());
  ASSERT_TRUE(registry.Register("Clip", 6, 10, Noop).ok());
  EXPECT_EQ(RangeFound(registry, "Clip", 5), "none");
  EXPECT_EQ(RangeFound(registry, "Clip", 6), "6-10");
  EXPECT_EQ(RangeFound(registry, "Clip", 10), "6-10");
  EXPECT_EQ(RangeFound(registry, "Clip", 11), "11+");
  EXPECT_EQ(RangeFound(registry, "Relu", 11), "none");
}

TEST(OnnxConverterRegistryTest, OpenEndedRangeHoldsEveryLaterOpset) {
  OnnxConverterRegistry registry;
  ASSERT_TRUE(registry.Register("Softmax", 13, kLatestOpset, Noop).ok());
  EXPECT_EQ(RangeFound(registry, "Softmax", 13), "13+");
  EXPECT_EQ(RangeFound(registry, "Softmax", 18), "13+");
  EXPECT_EQ(RangeFound(registry, "Softmax", 1000), "13+");
  EXPECT_EQ(RangeFound(registry, "Softmax", 12), "none");
}

TEST(OnnxConverterRegistryTest, GapsBetweenRangesFindNothing) {
  OnnxConverterRegistry registry;
  ASSERT_TRUE(registry.Register("Resize", 11, 11, Noop).ok());
  ASSERT_TRUE(registry.Register("Resize", 13, kLatestOpset, Noop).ok());
  EXPECT_EQ(RangeFound(registry, "Resize", 11), "11");
  EXPECT_EQ(RangeFound(registry, "Resize", 12), "none");
  EXPECT_EQ(registry.OpsetsOf("Resize"), "11, 13+");
}

TEST(OnnxConverterRegistryTest, OverlappingRangesAreAnErrorThatSticks) {
  OnnxConverterRegistry registry;
  ASSERT_TRUE(registry.Register("Split", 1, 12, Noop).ok());
  ASSERT_TRUE(registry.Register("Split", 13, kLatestOpset, Noop).ok());
  ASSERT_TRUE(registry.Register("Concat", 4, kLatestOpset, Noop).ok());
  absl::Status overlap = registry.Register("Split", 11, 13, Noop);
  EXPECT_EQ(overlap.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(overlap.message(), HasSubstr("ONNX converters for Split overlap: opsets 11-13 and"));
  // The earlier registrations keep their slots, but the registry stays
  // poisoned so that two files claiming one opset cannot go unnoticed.
  EXPECT_EQ(RangeFound(registry, "Split", 11), "1-12");
  EXPECT_EQ(registry.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(registry.Register("Concat", 4, kLatestOpset, Noop).code(),
            absl::StatusCode::kAlreadyExists);
  // status() keeps the first error.
  EXPECT_THAT(registry.status().message(), HasSubstr("Split"));
}

TEST(OnnxConverterRegistryTest, BadRegistrationsAreRejected) {
  OnnxConverterRegistry registry;
  EXPECT_EQ(registry.Register("", 1, 1, Noop).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.Register("Pad", 0, 1, Noop).code(), absl::StatusCode::kInvalidArgument);
  absl::Status backwards = registry.Register("Pad", 11, 2, Noop);
  EXPECT_EQ(backwards.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(backwards.message(), HasSubstr("expected 1 <= since_version <= until_version"));
  EXPECT_EQ(registry.Register("Pad", 1, 1, Converter()).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.List().size(), 0u);
  EXPECT_EQ(registry.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(OnnxConverterRegistryTest, ListIsSortedByOpAndRange) {
  OnnxConverterRegistry registry;
  ASSERT_TRUE(registry.Register("Pad", 11, kLatestOpset, Noop).ok());
  ASSERT_TRUE(registry.Register("Abs", 1, kLatestOpset, Noop).ok());
  ASSERT_TRUE(registry.Register("Pad", 2, 10, Noop).ok());
  ASSERT_TRUE(registry.Register("Pad", 1, 1, Noop).ok());
  std::vector<std::string> listed;
  for (const OnnxConverterRegistration* r : registry.List()) {
    listed.push_back(r->op_type + " " + r->RangeString());
  }
  EXPECT_THAT(listed, ::testing::ElementsAre("Abs 1+", "Pad 1", "Pad 2-10", "Pad 11+"));
  EXPECT_EQ(registry.OpsetsOf("Pad"), "1, 2-10, 11+");
  EXPECT_EQ(registry.OpsetsOf("LRN"), "");
  EXPECT_TRUE(registry.status().ok());
}

}  // namespace
}  // namespace kiln::frontend

#include "targets/target_parser.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/cpu_features.h"
#include "targets/target_registry.h"

namespace kiln::targets {
namespace {

using ::testing::HasSubstr;

TEST(TargetParserTest, GenericLlvm) {
  auto t = ParseTarget("llvm");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->mcpu, "x86-64");
  EXPECT_EQ(t->vector_lanes, 4);
  EXPECT_EQ(t->ToString(), "llvm");
}

TEST(TargetParserTest, Zen4AndZen5) {
  for (const char* cpu : {"znver4", "znver5"}) {
    auto t = ParseTarget(std::string("llvm -mcpu=") + cpu);
    ASSERT_TRUE(t.ok()) << cpu << ": " << t.status();
    EXPECT_EQ(t->mcpu, cpu);
    EXPECT_EQ(t->vector_lanes, 16);
    EXPECT_EQ(t->vector_registers, 32);
    EXPECT_TRUE(t->has_fma);
    EXPECT_THAT(t->mattr, HasSubstr("+avx512bf16"));
    EXPECT_THAT(t->mattr, HasSubstr("+avx512vnni"));
    // Every feature is one the loaders can check on the host.
    for (absl::string_view f : absl::StrSplit(t->mattr, ',', absl::SkipEmpty())) {
      absl::ConsumePrefix(&f, "+");
      EXPECT_NE(std::find(runtime::KnownCpuFeatures().begin(), runtime::KnownCpuFeatures().end(),
                          f),
                runtime::KnownCpuFeatures().end())
          << f;
    }
  }
  auto zen5 = ParseTarget("llvm -mcpu=znver5");
  ASSERT_TRUE(zen5.ok());
  EXPECT_THAT(zen5->mattr, HasSubstr("+avxvnni"));
  EXPECT_EQ(zen5->l1d_bytes, 48 * 1024);
}

TEST(TargetParserTest, SkylakeAvx512) {
  auto t = ParseTarget("  llvm   -mcpu=skylake-avx512 ");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->mcpu, "skylake-avx512");
  EXPECT_EQ(t->vector_lanes, 16);
  EXPECT_EQ(t->vector_registers, 32);
  EXPECT_TRUE(t->has_fma);
  EXPECT_EQ(t->ToString(), "llvm -mcpu=skylake-avx512");
}

TEST(TargetParserTest, MattrChangesFeaturesAndLanes) {
  auto avx2 = ParseTarget("llvm -mattr=+avx,+avx2,+fma");
  ASSERT_TRUE(avx2.ok()) << avx2.status();
  EXPECT_EQ(avx2->vector_lanes, 8);
  EXPECT_TRUE(avx2->has_fma);
  auto narrowed = ParseTarget("llvm -mcpu=skylake-avx512 -mattr=-avx512f");
  ASSERT_TRUE(narrowed.ok());
  EXPECT_EQ(narrowed->vector_lanes, 8);
  EXPECT_THAT(narrowed->mattr, HasSubstr("-avx512f"));
}

TEST(TargetParserTest, NumCoresAndRoundTrip) {
  auto t = ParseTarget("llvm -mcpu=haswell -mattr=+avx512f -num-cores=2");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->num_cores, 2);
  auto again = ParseTarget(t->ToString());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->ToString(), t->ToString());
  EXPECT_EQ(again->mattr, t->mattr);
}

TEST(TargetParserTest, NativeDescribesThisHost) {
  auto t = ParseTarget("llvm -mcpu=native");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->vector_lanes == 16, runtime::HostHasFeature("avx512f"));
  EXPECT_GE(t->num_cores, 1);
  EXPECT_TRUE(CheckHostCanRun(*t).ok());
}

TEST(TargetParserTest, ErrorsListTheChoices) {
  EXPECT_THAT(ParseTarget("cuda").status().message(),
              HasSubstr("unknown target kind 'cuda'; registered target kinds: llvm"));
  EXPECT_THAT(ParseTarget("llvm -mcpu=pentium4").status().message(),
              HasSubstr("skylake-avx512"));
  EXPECT_THAT(ParseTarget("llvm -mattr=+sse9").status().message(), HasSubstr("bad -mattr"));
  EXPECT_THAT(ParseTarget("llvm -foo=1").status().message(), HasSubstr("unknown option -foo"));
  EXPECT_THAT(ParseTarget("llvm -num-cores=zero").status().message(),
              HasSubstr("not a core count"));
  EXPECT_THAT(ParseTarget("llvm mcpu").status().message(), HasSubstr("-key=value"));
  EXPECT_FALSE(ParseTarget("").ok());
}

TEST(TargetParserTest, HostCheckRefusesMissingFeatures) {
  if (runtime::HostHasFeature("avx512fp16")) GTEST_SKIP() << "host has avx512fp16";
  auto t = ParseTarget("llvm -mattr=+avx512fp16");
  ASSERT_TRUE(t.ok());
  EXPECT_THAT(CheckHostCanRun(*t).message(), HasSubstr("avx512fp16"));
}

}  // namespace
}  // namespace kiln::targets

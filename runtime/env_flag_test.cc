#include "runtime/env_flag.h"

#include <cstdlib>

#include "gtest/gtest.h"

namespace kiln::runtime {
namespace {

TEST(EnvFlagTest, OnlyTrueValuesSwitchOn) {
  for (const char* on : {"1", "true", "TRUE", "yes", "Yes", "on", " 1 "}) {
    EXPECT_TRUE(IsTrueValue(on)) << on;
  }
  for (const char* off : {"0", "false", "FALSE", "no", "off", "", "2", "maybe"}) {
    EXPECT_FALSE(IsTrueValue(off)) << off;
  }
}

TEST(EnvFlagTest, ReadsTheEnvironment) {
  unsetenv("KILN_TEST_FLAG");
  EXPECT_FALSE(EnvFlag("KILN_TEST_FLAG"));
  setenv("KILN_TEST_FLAG", "0", 1);
  EXPECT_FALSE(EnvFlag("KILN_TEST_FLAG"));
  setenv("KILN_TEST_FLAG", "", 1);
  EXPECT_FALSE(EnvFlag("KILN_TEST_FLAG"));
  setenv("KILN_TEST_FLAG", "yes", 1);
  EXPECT_TRUE(EnvFlag("KILN_TEST_FLAG"));
}

}  // namespace
}  // namespace kiln::runtime

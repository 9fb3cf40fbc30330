#include "runtime/kernel_check.h"

#include <cmath>
#include <csignal>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kiln::runtime {
namespace {

using ::testing::HasSubstr;

// out[i] = 2 * in[i], over 8 elements: a "kernel" with the generated ABI.
int32_t Doubles(void* const* args) {
  const float* in = static_cast<const float*>(args[0]);
  float* out = static_cast<float*>(args[1]);
  for (int i = 0; i < 8; ++i) out[i] = 2 * in[i];
  return 0;
}
int32_t Triples(void* const* args) {
  const float* in = static_cast<const float*>(args[0]);
  float* out = static_cast<float*>(args[1]);
  for (int i = 0; i < 8; ++i) out[i] = 3 * in[i];
  return 0;
}
int32_t Crashes(void* const*) {
  std::raise(SIGSEGV);
  return 0;
}
int32_t Hangs(void* const*) {
  for (volatile bool forever = true; forever;) {
  }
  return 0;
}
int32_t Fails(void* const*) { return 3; }

struct Case {
  std::vector<std::vector<float>> buffers = {{1, 2, 3, 4, 5, 6, 7, 8}, std::vector<float>(8)};
  std::vector<float> expected = {2, 4, 6, 8, 10, 12, 14, 16};
  KernelTimer timer = *KernelTimer::Create(TimingOptions{1, 2, 0, false});

  KernelCheckResult Run(KernelFunction kernel, double timeout_s = 5) {
    return CheckAndTimeKernel(kernel, buffers, expected, /*weight_buffer=*/0, timer, timeout_s);
  }
};

TEST(KernelCheckTest, AMatchingKernelIsTimed) {
  Case c;
  KernelCheckResult r = c.Run(&Doubles);
  EXPECT_EQ(r.error, KernelCheckError::kNone) << r.error_msg;
  EXPECT_EQ(r.costs.size(), 2u);
  EXPECT_EQ(KernelCheckErrorName(r.error), "NO_ERROR");
}

TEST(KernelCheckTest, NanMarksElementsNotChecked) {
  Case c;
  c.expected[3] = std::nanf("");
  c.expected[5] = -1;  // checked, and wrong for Doubles
  KernelCheckResult r = c.Run(&Doubles);
  EXPECT_EQ(r.error, KernelCheckError::kWrongAnswer);
  EXPECT_THAT(r.error_msg, HasSubstr("element 5 is 12"));
  c.expected[5] = 12;
  EXPECT_EQ(c.Run(&Doubles).error, KernelCheckError::kNone);
}

TEST(KernelCheckTest, WrongCrashingHangingAndFailingKernelsAreErrorsNotCrashes) {
  Case c;
  KernelCheckResult wrong = c.Run(&Triples);
  EXPECT_EQ(wrong.error, KernelCheckError::kWrongAnswer);
  EXPECT_TRUE(wrong.costs.empty());
  KernelCheckResult crash = c.Run(&Crashes);
  EXPECT_EQ(crash.error, KernelCheckError::kRuntimeDevice);
  EXPECT_THAT(crash.error_msg, HasSubstr("signal"));
  EXPECT_EQ(KernelCheckErrorName(crash.error), "RUNTIME_DEVICE");
  KernelCheckResult hang = c.Run(&Hangs, 0.3);
  EXPECT_EQ(hang.error, KernelCheckError::kRunTimeout);
  EXPECT_EQ(KernelCheckErrorName(hang.error), "RUN_TIMEOUT");
  KernelCheckResult fail = c.Run(&Fails);
  EXPECT_EQ(fail.error, KernelCheckError::kRuntimeDevice);
  EXPECT_THAT(fail.error_msg, HasSubstr("kernel returned 3"));
  c.expected.pop_back();
  EXPECT_EQ(c.Run(&Doubles).error, KernelCheckError::kWrongAnswer);
}

}  // namespace
}  // namespace kiln::runtime

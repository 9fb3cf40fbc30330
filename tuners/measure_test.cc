#include "tuners/measure.h"

#include <cmath>

#include "gtest/gtest.h"

namespace kiln::tuners {
namespace {

TEST(MeasureTest, ErrorNamesRoundTrip) {
  for (MeasureErrorNo error :
       {MeasureErrorNo::kNoError, MeasureErrorNo::kInstantiationError,
        MeasureErrorNo::kCompileHost, MeasureErrorNo::kRuntimeDevice,
        MeasureErrorNo::kWrongAnswer, MeasureErrorNo::kBuildTimeout,
        MeasureErrorNo::kRunTimeout, MeasureErrorNo::kUnknownError}) {
    EXPECT_EQ(*ParseMeasureErrorName(MeasureErrorName(error)), error);
  }
  EXPECT_EQ(MeasureErrorName(MeasureErrorNo::kRuntimeDevice), "RUNTIME_DEVICE");
  EXPECT_FALSE(ParseMeasureErrorName("runtime_device").ok());
}

TEST(MeasureTest, ThroughputIsZeroForFailures) {
  MeasureResult ok;
  ok.costs = {0.002, 0.004};
  EXPECT_DOUBLE_EQ(ok.MedianCost(), 0.003);
  EXPECT_DOUBLE_EQ(Throughput(3e9, ok), 1e12);
  EXPECT_DOUBLE_EQ(Throughput(0, ok), 1.0 / 0.003);  // unknown flops

  MeasureResult crashed = ok;
  crashed.error_no = MeasureErrorNo::kRuntimeDevice;
  EXPECT_EQ(Throughput(3e9, crashed), 0.0);
  EXPECT_TRUE(std::isinf(crashed.MedianCost()));
  MeasureResult odd;
  odd.costs = {0.5, 0.1, 0.2};
  EXPECT_DOUBLE_EQ(odd.MedianCost(), 0.2);

  MeasureResult empty;
  EXPECT_FALSE(empty.ok());
  EXPECT_EQ(Throughput(3e9, empty), 0.0);

  MeasureResult zero;
  zero.costs = {0.0};
  EXPECT_EQ(Throughput(3e9, zero), 0.0);
}

TEST(MeasureTest, OptionValidation) {
  MeasureOption option;
  EXPECT_TRUE(option.Validate().ok());
  option.number = 0;
  EXPECT_FALSE(option.Validate().ok());
  option = MeasureOption();
  option.repeat = 0;
  EXPECT_FALSE(option.Validate().ok());
  option = MeasureOption();
  option.min_repeat_ms = -1;
  EXPECT_FALSE(option.Validate().ok());
  option = MeasureOption();
  option.timeout_s = 0;
  EXPECT_FALSE(option.Validate().ok());
  option.timeout_s = std::nan("");
  EXPECT_FALSE(option.Validate().ok());
  option = MeasureOption();
  option.n_parallel = 0;
  EXPECT_FALSE(option.Validate().ok());
}

}  // namespace
}  // namespace kiln::tuners

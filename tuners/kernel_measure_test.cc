#include "tuners/kernel_measure.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/expr.h"
#include "ir/ops/conv2d_nchwc_template.h"
#include "ir/stmt.h"
#include "targets/target_parser.h"
#include "tuners/tune_loop.h"

namespace kiln::tuners {
namespace {

using ::testing::HasSubstr;

ir::ops::Conv2dWorkload SmallConv() {
  ir::ops::Conv2dWorkload w;
  w.in_channels = 16, w.height = w.width = 10, w.out_channels = 16;
  w.kernel_h = w.kernel_w = 3, w.pad_h = w.pad_w = 1;
  return w;
}

struct Fixture {
  targets::Target target = *targets::ParseTarget("llvm -mcpu=native");
  ir::ops::Conv2dWorkload w = SmallConv();
  tuning::TuningTask task = *ir::ops::MakeConv2dNCHWcTask(w, target);
  tuning::Config reference =
      *ir::ops::Conv2dNCHWcTaskConfig(task, ir::ops::DefaultConv2dNCHWcConfig(w, target));
  MeasureOption option;
};

TEST(KernelMeasureTest, EveryTunerTunesARealConvolution) {
  Fixture f;
  auto measure = MakeKernelMeasure(ir::ops::Conv2dNCHWcHarness(f.w), f.target, f.option,
                                   f.reference);
  ASSERT_TRUE(measure.ok()) << measure.status();
  for (const char* tuner : {"xgb", "ga", "random", "gridsearch"}) {
    TuneOptions options;
    options.n_trial = 6;
    options.batch_size = 3;
    options.seed = 3;
    auto summary = Tune(f.task, tuner, TunerOptions{}, options, *measure);
    ASSERT_TRUE(summary.ok()) << tuner << ": " << summary.status();
    EXPECT_EQ(summary->measured, 6) << tuner;
    EXPECT_GT(summary->state.best_throughput, 0) << tuner;
    EXPECT_TRUE(summary->state.best_result.ok()) << tuner;
  }
}

// With builds in parallel threads too: each result stays with its config.
class KernelMeasureParallelTest : public ::testing::TestWithParam<int> {};

TEST_P(KernelMeasureParallelTest, WrongAnswersAndRejectedConfigsAreRecordedNotFatal) {
  Fixture f;
  f.option.n_parallel = GetParam();
  tuning::KernelHarness harness = ir::ops::Conv2dNCHWcHarness(f.w);
  ir::ops::Conv2dWorkload relu = f.w;
  relu.activation = ir::ops::Activation::kRelu;
  auto honest_build = harness.build;
  const int64_t reference_index = f.reference.index();
  // Every other config computes ReLU(conv): a wrong answer. Configs with an
  // odd index are rejected outright.
  harness.build = [=](const tuning::Config& c) -> absl::StatusOr<ir::LoweredFunc> {
    if (c.index() == reference_index) return honest_build(c);
    if (c.index() % 2 == 1) return absl::InvalidArgumentError("rejected by the template");
    auto cfg = ir::ops::Conv2dNCHWcConfigFrom(c);
    return ir::ops::BuildConv2dNCHWc(relu, *cfg, "candidate");
  };
  auto measure = MakeKernelMeasure(harness, f.target, f.option, f.reference);
  ASSERT_TRUE(measure.ok()) << measure.status();
  const int64_t even = (reference_index + 2) % f.task.space.size() / 2 * 2;
  std::vector<MeasureInput> inputs = {{&f.task, f.task.space.At(even)},
                                      {&f.task, f.task.space.At(even + 1)},
                                      {&f.task, f.reference}};
  auto results = (*measure)(inputs);
  ASSERT_TRUE(results.ok());
  if (inputs[0].config.index() != reference_index) {
    EXPECT_EQ((*results)[0].error_no, MeasureErrorNo::kWrongAnswer);
    EXPECT_THAT((*results)[0].error_msg, HasSubstr("reference config"));
  }
  EXPECT_EQ((*results)[1].error_no, MeasureErrorNo::kInstantiationError);
  EXPECT_TRUE((*results)[2].ok());
  EXPECT_GT((*results)[2].MedianCost(), 0);
}

INSTANTIATE_TEST_SUITE_P(Builders, KernelMeasureParallelTest, ::testing::Values(1, 2));

TEST(KernelMeasureTest, CrashingAndHangingCandidatesAreContained) {
  Fixture f;
  f.option.timeout_s = 1.0;
  tuning::KernelHarness harness = ir::ops::Conv2dNCHWcHarness(f.w);
  auto honest_build = harness.build;
  const int64_t reference_index = f.reference.index();
  // Candidate 0 writes far outside its output; candidate 1 never finishes.
  harness.build = [=](const tuning::Config& c) -> absl::StatusOr<ir::LoweredFunc> {
    if (c.index() == reference_index || c.index() > 1) return honest_build(c);
    auto f = honest_build(c);
    if (!f.ok()) return f;
    ir::Buffer out = f->args.back();
    ir::Var i("i");
    if (c.index() == 0) {
      f->body = ir::Store(out, ir::Expr(1.0f), ir::Expr(int64_t{1} << 40));
    } else {
      // A float recurrence LLVM cannot shortcut.
      f->body = ir::For(i, 0, int64_t{1} << 62, ir::ForKind::kSerial,
                        ir::Store(out, ir::Load(out, ir::Expr(0)) * 1.0001f + 1.0f, ir::Expr(0)));
    }
    return f;
  };
  auto measure = MakeKernelMeasure(harness, f.target, f.option, f.reference);
  ASSERT_TRUE(measure.ok()) << measure.status();
  std::vector<MeasureInput> inputs = {
      {&f.task, f.task.space.At(0)}, {&f.task, f.task.space.At(1)}, {&f.task, f.reference}};
  auto results = (*measure)(inputs);
  ASSERT_TRUE(results.ok()) << results.status();
  if (reference_index > 1) {
    EXPECT_EQ((*results)[0].error_no, MeasureErrorNo::kRuntimeDevice) << (*results)[0].error_msg;
    EXPECT_THAT((*results)[0].error_msg, HasSubstr("signal"));
    EXPECT_EQ((*results)[1].error_no, MeasureErrorNo::kRunTimeout) << (*results)[1].error_msg;
  }
  EXPECT_TRUE((*results)[2].ok()) << (*results)[2].error_msg;
}

}  // namespace
}  // namespace kiln::tuners

#include "tuners/measure_input.h"

#include "gtest/gtest.h"
#include "ir/ops/conv2d_depthwise_nchwc_template.h"
#include "ir/ops/conv2d_nchwc_template.h"
#include "ir/ops/dense_template.h"
#include "ir/tuning/template_registry.h"
#include "targets/target_parser.h"
#include "tuners/kernel_measure.h"

namespace kiln::tuners {
namespace {

// Through text and back, as a measurement sent to another process.
absl::StatusOr<RebuiltMeasureInput> RoundTrip(const MeasureInput& input) {
  auto parsed = tuning::ParseJson(MeasureInputToJson(input).Dump());
  if (!parsed.ok()) return parsed.status();
  return MeasureInputFromJson(*parsed);
}

TEST(MeasureInputTest, TasksOfEveryTemplateAreRebuiltFromTheirDescriptionAndMeasure) {
  const targets::Target target = *targets::ParseTarget("llvm -mcpu=native");
  ir::ops::Conv2dWorkload conv;
  conv.in_channels = 8, conv.height = conv.width = 9, conv.out_channels = 16;
  conv.kernel_h = conv.kernel_w = 3, conv.pad_h = conv.pad_w = 1;
  const ir::ops::Conv2dBlocks blocks{8, 8};
  ir::ops::DenseWorkload dense;
  dense.m = 3, dense.k = 20, dense.n = 24;
  ir::ops::Conv2dWorkload depthwise = conv;
  depthwise.out_channels = depthwise.in_channels;
  depthwise.stride_h = depthwise.stride_w = 2;
  for (auto made : {ir::ops::MakeConv2dNCHWcTask(conv, target, &blocks),
                    ir::ops::MakeDenseTask(dense, target),
                    tuning::MakeTask(ir::ops::kDepthwiseTemplate,
                                     ir::ops::DepthwiseTaskArgs(depthwise, 4), target)}) {
    ASSERT_TRUE(made.ok()) << made.status();
    const tuning::TuningTask& task = *made;
    const tuning::Config config = task.space.At(task.space.size() - 1);
    auto rebuilt = RoundTrip({&task, config});
    ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
    EXPECT_EQ(rebuilt->task->WorkloadKey(), task.WorkloadKey());
    EXPECT_EQ(rebuilt->task->space.size(), task.space.size());
    EXPECT_EQ(rebuilt->config.index(), config.index());
    // The rebuilt input measures with nothing but the registry.
    auto tmpl = tuning::TemplateRegistry().Find(rebuilt->task->name);
    ASSERT_TRUE(tmpl.ok());
    auto reference = tmpl->default_config(*rebuilt->task, target);
    auto harness = tmpl->harness(*rebuilt->task);
    ASSERT_TRUE(reference.ok() && harness.ok());
    MeasureOption option;
    option.repeat = 1;
    auto measure = MakeKernelMeasure(*harness, target, option, *reference);
    ASSERT_TRUE(measure.ok()) << measure.status();
    auto results = (*measure)({rebuilt->input()});
    ASSERT_TRUE(results.ok()) << results.status();
    EXPECT_TRUE((*results)[0].ok()) << task.name << ": " << (*results)[0].error_msg;
  }
}

TEST(MeasureInputTest, MalformedOrForeignDescriptionsAreErrors) {
  const targets::Target target = *targets::ParseTarget("llvm");
  ir::ops::DenseWorkload dense;
  dense.m = 1, dense.k = 8, dense.n = 8;
  const tuning::TuningTask task = *ir::ops::MakeDenseTask(dense, target);
  const tuning::Json good = MeasureInputToJson({&task, task.space.At(0)});
  ASSERT_TRUE(MeasureInputFromJson(good).ok());

  // `good` with one member replaced.
  const auto with = [&](const std::string& key, tuning::Json value) {
    tuning::Json changed{tuning::Json::Object{}};
    for (const auto& [k, v] : good.as_object()) changed.Set(k, k == key ? value : v);
    return changed;
  };
  EXPECT_EQ(MeasureInputFromJson(with("task", tuning::Json("winograd_magic.x86"))).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(MeasureInputFromJson(with("args", tuning::Json(tuning::Json::Array{tuning::Json(-1)})))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(MeasureInputFromJson(with("target", tuning::Json("llvm -mcpu=pentium-pro-max"))).ok());
  EXPECT_EQ(MeasureInputFromJson(with("config", tuning::Json(3))).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kiln::tuners

#include "passes/schedule_matmul.h"

#include <cmath>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ir/graph/op_registry.h"
#include "ir/ops/batch_matmul_template.h"
#include "passes/pipeline.h"
#include "targets/target_parser.h"

namespace kiln::passes {
namespace {

using runtime::DType;

// Answers every batch_matmul query with the last point of its space (not the
// default) and remembers what was asked.
class LastPoint final : public tuning::ScheduleContext {
 public:
  tuning::Config Query(const tuning::TuningTask& task, const tuning::Config& fallback) override {
    asked.push_back(task.name + " " + task.args.Dump());
    if (task.name != ir::ops::kBatchMatmulTemplate) return fallback;
    return task.space.At(task.space.size() - 1);
  }
  std::vector<std::string> asked;
};

graph::NDArray Filled(std::vector<int64_t> shape) {
  auto a = graph::NDArray::Empty(shape, DType::kFloat32);
  for (int64_t i = 0; i < a->NumElements(); ++i) a->data<float>()[i] = std::sin(0.3 * i);
  return *a;
}

// Attention's two products on run-time operands, a projection by a constant
// matrix and a float64 product.
graph::Graph Attention() {
  graph::Graph g;
  const int q = g.AddInput("q", {DType::kFloat32, {1, 2, 5, 4}});
  const int kt = g.AddInput("kt", {DType::kFloat32, {1, 2, 4, 5}});
  const int v = g.AddInput("v", {DType::kFloat32, {1, 2, 5, 4}});
  const int x = g.AddInput("x", {DType::kFloat64, {3, 7}});
  const int y = g.AddInput("y", {DType::kFloat64, {7, 2}});
  auto matmul = [&](const std::string& name, int a, int b, DType type) {
    const int out = g.AddValue(name, {type, {}});
    g.AddNode({name, "matmul", {a, b}, {out}, {}});
    return out;
  };
  const int scores = matmul("scores", q, kt, DType::kFloat32);
  const int context = matmul("context", scores, v, DType::kFloat32);
  const int projected =
      matmul("projected", context, g.AddConstant("w", Filled({4, 6})), DType::kFloat32);
  const int xy = matmul("xy", x, y, DType::kFloat64);
  g.SetOutputs({projected, xy});
  return g;
}

TEST(ScheduleMatmulTest, RunTimeFloat32ProductsCarryTheChosenSchedule) {
  const targets::Target target = *targets::ParseTarget("llvm -mattr=+avx,+avx2,+fma");
  graph::Graph g = Attention();
  LastPoint context;
  PipelineOptions options;
  options.target = &target;
  options.schedules = &context;
  ASSERT_TRUE(OptimizeGraph(g, options).ok());

  // Two batch_matmul tasks, in graph order, and the projection's dense task.
  ASSERT_EQ(context.asked.size(), 3u);
  EXPECT_EQ(context.asked[0], R"(dense_pack.x86 [10,4,6])");
  EXPECT_EQ(context.asked[1], R"(batch_matmul.x86 [[1,2],[1,2],[1,2],5,4,5,"float32"])");
  EXPECT_EQ(context.asked[2], R"(batch_matmul.x86 [[1,2],[1,2],[1,2],5,5,4,"float32"])");

  int scheduled = 0, dense = 0;
  for (const graph::Node& n : g.nodes()) {
    if (n.op == "dense") ++dense;
    if (n.op != "matmul") continue;
    auto schedule = n.String(tuning::kScheduleAttr, "");
    ASSERT_TRUE(schedule.ok());
    if (n.name == "xy") {
      EXPECT_EQ(*schedule, "") << "float64 products keep the default";
      continue;
    }
    ++scheduled;
    auto w = ir::ops::NumpyMatmulWorkload(g.value(n.inputs[0]).type.shape,
                                          g.value(n.inputs[1]).type.shape);
    ASSERT_TRUE(w.ok());
    auto task = ir::ops::MakeBatchMatmulTask(*w, target);
    ASSERT_TRUE(task.ok());
    EXPECT_EQ(*schedule, task->space.At(task->space.size() - 1).ToJson().Dump()) << n.name;
    // What the lowering decodes is that point, not the default.
    auto decoded = ir::ops::BatchMatmulScheduleOfNode(*schedule, *w, target);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    auto last = ir::ops::MatmulConfigFrom(task->space.At(task->space.size() - 1));
    EXPECT_EQ(decoded->rows, last->rows);
    EXPECT_EQ(decoded->vectors, last->vectors);
    EXPECT_EQ(decoded->b_panel_outer, last->b_panel_outer);
  }
  EXPECT_EQ(scheduled, 2);
  EXPECT_EQ(dense, 1);
}

}  // namespace
}  // namespace kiln::passes

#include "tuners/graph_tasks.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "codegen/graph_compiler.h"
#include "frontend/bert_generator.h"
#include "frontend/onnx_importer.h"
#include "frontend/testing/small_resnet.h"
#include "gtest/gtest.h"
#include "ir/graph/op_registry.h"
#include "ir/ops/batch_matmul_template.h"
#include "ir/ops/conv2d_nchwc_template.h"
#include "ir/ops/dense_template.h"
#include "targets/target_parser.h"

namespace kiln::tuners {
namespace {

graph::Graph SmallResNet() {
  auto g = frontend::testing::SmallResNet();
  EXPECT_TRUE(g.ok()) << g.status();
  return *std::move(g);
}

TEST(GraphTasksTest, EveryTemplateGivesTasksIncludingTheFinalDenseLayer) {
  const targets::Target target = *targets::ParseTarget("llvm");
  auto tasks = ExtractTasks(SmallResNet(), target);
  ASSERT_TRUE(tasks.ok()) << tasks.status();
  int convs = 0, dense = 0, occurrences = 0;
  for (const GraphTask& t : *tasks) {
    occurrences += t.occurrences;
    if (t.task.name == ir::ops::kConv2dNCHWcTemplate) ++convs;
    if (t.task.name != ir::ops::kDenseTemplate) continue;
    ++dense;
    // [M, K, N]: one image, the last stage's 2048 x width/64 features, the
    // classes.
    auto w = ir::ops::DenseWorkloadOfArgs(t.task.args);
    ASSERT_TRUE(w.ok()) << w.status();
    EXPECT_EQ(w->m, 1);
    EXPECT_EQ(w->n, 1000);
    EXPECT_GT(t.task.space.size(), 1) << "the dense task has something to tune";
  }
  EXPECT_EQ(dense, 1);
  EXPECT_GT(convs, 10);
  EXPECT_EQ(occurrences, 53 + 1) << "every conv and the dense layer are counted once";
}

// The compiled model's first output on a smooth input to its first input,
// against the reference interpreter's.
void ExpectRunsLikeTheReference(const graph::Graph& g, const codegen::CompiledGraph& compiled,
                                const targets::Target& target) {
  const graph::Value& input = g.value(g.inputs()[0]);
  auto data = graph::NDArray::Empty(input.type.shape, runtime::DType::kFloat32);
  for (int64_t i = 0; i < data->NumElements(); ++i) data->data<float>()[i] = std::cos(0.02 * i);
  auto want = graph::Evaluate(g, {{input.name, *data}});
  ASSERT_TRUE(want.ok()) << want.status();
  auto model = codegen::BuildJitModel(compiled, target);
  ASSERT_TRUE(model.ok()) << model.status();
  ASSERT_TRUE(model->executor->SetInput(input.name, *data).ok());
  ASSERT_TRUE(model->executor->Run().ok());
  auto got = model->executor->GetOutput(0);
  ASSERT_TRUE(got.ok()) << got.status();
  double max_abs = 0, max_diff = 0;
  for (int64_t i = 0; i < got->NumElements(); ++i) {
    max_abs = std::max(max_abs, std::fabs(double{(*want)[0].data<float>()[i]}));
    max_diff = std::max(max_diff, std::fabs(double{got->data<float>()[i]} -
                                            (*want)[0].data<float>()[i]));
  }
  EXPECT_LE(max_diff, 1e-4 * max_abs);
}

// A BERT encoder of two layers, two heads of 16 and eight tokens: its
// attention products Q x K^T ([1, 2, 8, 16] x [1, 2, 16, 8]) and P x V
// ([1, 2, 8, 8] x [1, 2, 8, 16]) have B computed at run time.
graph::Graph SmallBert() {
  frontend::BertOptions options;
  options.layers = 2;
  options.hidden = 32;
  options.heads = 2;
  options.intermediate = 64;
  options.sequence = 8;
  auto bytes = frontend::GenerateBert(options);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  auto g = frontend::ImportOnnxBytes(*bytes);
  EXPECT_TRUE(g.ok()) << g.status();
  return *std::move(g);
}

TEST(GraphTasksTest, AttentionProductsGiveBatchMatmulTasksAndProjectionsDenseOnes) {
  const targets::Target target = *targets::ParseTarget("llvm");
  auto tasks = ExtractTasks(SmallBert(), target);
  ASSERT_TRUE(tasks.ok()) << tasks.status();
  std::vector<std::string> batch_matmul;
  int batch_matmul_nodes = 0, dense_nodes = 0;
  for (const GraphTask& t : *tasks) {
    if (t.task.name == ir::ops::kDenseTemplate) dense_nodes += t.occurrences;
    if (t.task.name != ir::ops::kBatchMatmulTemplate) continue;
    batch_matmul.push_back(t.task.args.Dump());
    batch_matmul_nodes += t.occurrences;
    EXPECT_EQ(t.occurrences, 2) << "one per layer";
    EXPECT_GT(t.task.space.size(), 1) << "the batch_matmul task has something to tune";
  }
  // [batch], [A's batch], [B's batch], M, K, N: both operands batched, so
  // both computed at run time.
  EXPECT_EQ(batch_matmul, (std::vector<std::string>{
                              R"([[1,2],[1,2],[1,2],8,16,8,"float32"])",
                              R"([[1,2],[1,2],[1,2],8,8,16,"float32"])",
                          }));
  EXPECT_EQ(batch_matmul_nodes, 2 * 2);
  // The products by a constant matrix (Q, K, V, output and both FFN
  // projections of each layer) are dense tasks, none a batch_matmul one.
  EXPECT_EQ(dense_nodes, 2 * 6);
}

TEST(GraphTasksTest, TheBestRecordOfABatchMatmulTaskIsWhatTheModelRuns) {
  const targets::Target target = *targets::ParseTarget("llvm");
  const graph::Graph g = SmallBert();
  auto tasks = ExtractTasks(g, target);
  ASSERT_TRUE(tasks.ok()) << tasks.status();
  std::vector<Record> records;
  std::vector<std::string> picks;
  for (const GraphTask& t : *tasks) {
    if (t.task.name != ir::ops::kBatchMatmulTemplate) continue;
    const tuning::Config pick = t.task.space.At(t.task.space.size() - 1);
    ASSERT_NE(pick.index(), t.default_config.index());
    MeasureResult fast;
    fast.costs = {1e-6};
    records.push_back(MakeRecord({&t.task, pick}, fast));
    picks.push_back(pick.ToJson().Dump());
  }
  ASSERT_EQ(picks.size(), 2u);
  const HistoryBest history = HistoryBest::FromRecords(records);
  HistorySchedules schedules(history);
  codegen::CompileOptions options;
  options.schedules = &schedules;
  auto compiled = codegen::CompileGraph(g, target, options);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  EXPECT_EQ(schedules.applied(), 2);
  int found = 0;
  for (const graph::Node& n : compiled->optimized.nodes()) {
    if (n.op != "matmul") continue;
    ++found;
    EXPECT_NE(std::find(picks.begin(), picks.end(), *n.String(tuning::kScheduleAttr)),
              picks.end());
  }
  EXPECT_EQ(found, 2 * 2);
  // And the model, its attention built with the picks, computes what the
  // reference does.
  ExpectRunsLikeTheReference(g, *compiled, target);
}

TEST(GraphTasksTest, TheBestRecordOfADenseTaskIsWhatTheModelRuns) {
  const targets::Target target = *targets::ParseTarget("llvm");
  graph::Graph g = SmallResNet();
  auto tasks = ExtractTasks(g, target);
  ASSERT_TRUE(tasks.ok()) << tasks.status();
  const GraphTask* dense = nullptr;
  for (const GraphTask& t : *tasks) {
    if (t.task.name == ir::ops::kDenseTemplate) dense = &t;
  }
  ASSERT_NE(dense, nullptr);
  // A record that picks the first or last point of the space, whichever is
  // not the default.
  const int64_t last = dense->task.space.size() - 1;
  const tuning::Config pick =
      dense->task.space.At(dense->default_config.index() == last ? 0 : last);
  ASSERT_NE(pick.index(), dense->default_config.index());
  MeasureResult fast;
  fast.costs = {1e-6};
  MeasureResult slow;
  slow.costs = {1e-3};
  const HistoryBest history = HistoryBest::FromRecords(
      {MakeRecord({&dense->task, pick}, fast), MakeRecord({&dense->task, dense->default_config},
                                                          slow)});
  HistorySchedules schedules(history);
  codegen::CompileOptions options;
  options.schedules = &schedules;
  auto compiled = codegen::CompileGraph(g, target, options);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  EXPECT_EQ(schedules.applied(), 1);
  EXPECT_EQ(static_cast<int>(schedules.missing().size()), static_cast<int>(tasks->size()) - 1);
  int found = 0;
  for (const graph::Node& n : compiled->optimized.nodes()) {
    if (n.op != "dense") continue;
    ++found;
    EXPECT_EQ(*n.String(tuning::kScheduleAttr), pick.ToJson().Dump());
  }
  EXPECT_EQ(found, 1);
  // And the model still computes what the reference does.
  ExpectRunsLikeTheReference(g, *compiled, target);
}

}  // namespace
}  // namespace kiln::tuners

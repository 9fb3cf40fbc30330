#include "driver/confirm_in_model.h"

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "frontend/testing/small_resnet.h"
#include "gtest/gtest.h"
#include "ir/ops/conv2d_nchwc_template.h"
#include "runtime/thread_pool.h"
#include "targets/target_parser.h"
#include "tuners/records.h"

namespace kiln::driver {
namespace {

graph::Graph SmallResNet() {
  auto g = frontend::testing::SmallResNet();
  EXPECT_TRUE(g.ok()) << g.status();
  return *std::move(g);
}

tuners::Record Isolated(const tuners::GraphTask& t, const tuning::Config& config, double cost) {
  tuners::MeasureResult result;
  result.costs = {cost, cost};
  return tuners::MakeRecord({&t.task, config}, result);
}

TEST(ConfirmInModelTest, EachPickIsTimedInTheModelOnceAndStaysOnlyWhereItIsFaster) {
  const targets::Target target = *targets::ParseTarget("llvm");
  const graph::Graph g = SmallResNet();
  auto tasks = tuners::ExtractTasks(g, target);
  ASSERT_TRUE(tasks.ok()) << tasks.status();
  const std::string path =
      (std::filesystem::path(::testing::TempDir()) / "in_model.jsonl").string();
  std::filesystem::remove(path);
  auto store = tuners::RecordStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status();

  // Two convolution tasks whose pick (alone) is not their default.
  std::vector<const tuners::GraphTask*> tuned;
  for (const tuners::GraphTask& t : *tasks) {
    if (t.task.name != ir::ops::kConv2dNCHWcTemplate || t.task.space.size() < 2) continue;
    const tuning::Config pick =
        t.task.space.At(t.default_config.index() == 0 ? 1 : 0);
    ASSERT_TRUE((*store)->Append(Isolated(t, t.default_config, 2e-3)).ok());
    ASSERT_TRUE((*store)->Append(Isolated(t, pick, 1e-3)).ok());
    tuned.push_back(&t);
    if (tuned.size() == 2) break;
  }
  ASSERT_EQ(tuned.size(), 2u);

  auto report = ConfirmInModel(g, target, *tasks, **store, /*rounds=*/3, nullptr);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->checked, 2);
  EXPECT_LE(report->picks_ms, report->default_ms);

  // Every checked workload has its default's in-model record; a pick has
  // one only where it ran faster at every thread count, and then the
  // faster median decides.
  const tuners::HistoryBest best = (*store)->Best();
  int kept = 0;
  for (const tuners::GraphTask* t : tuned) {
    const tuning::Config pick = best.RankedConfigs(t->task, 1)[0];
    const tuners::Record* with_pick = best.FindConfig(t->task, pick, /*in_model=*/true);
    const tuners::Record* with_default =
        best.FindConfig(t->task, t->default_config, /*in_model=*/true);
    ASSERT_NE(with_default, nullptr);
    EXPECT_EQ(with_default->result.costs.size(), 3u);
    for (double cost : with_default->result.costs) {
      EXPECT_TRUE(std::isfinite(cost) && cost > 0) << cost;
    }
    if (with_pick == nullptr) {
      EXPECT_EQ(best.BestConfig(t->task)->index(), t->default_config.index());
      continue;
    }
    ++kept;
    EXPECT_EQ(with_pick->result.costs.size(), 3u);
    const int64_t faster = with_pick->result.MedianCost() < with_default->result.MedianCost()
                               ? pick.index()
                               : t->default_config.index();
    EXPECT_EQ(best.BestConfig(t->task)->index(), faster);
  }
  EXPECT_EQ(kept, report->kept);
  // The pool runs at its own thread count again.
  EXPECT_EQ(runtime::GlobalThreadPool().num_threads(), runtime::DefaultNumThreads());

  // Judged picks are not timed again.
  auto again = ConfirmInModel(g, target, *tasks, **store, 3, nullptr);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->checked, 0);
}

}  // namespace
}  // namespace kiln::driver

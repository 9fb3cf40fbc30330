#include "tuners/graph_tasks.h"

#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "ir/ops/conv2d_nchwc_task.h"
#include "passes/pipeline.h"

namespace kiln::tuners {

absl::StatusOr<std::vector<GraphTask>> ExtractTasks(const graph::Graph& g,
                                                    const targets::Target& target) {
  // The layout pass asks for each conv's schedule with the block its input
  // arrives in, which is what fixes the task's blocks.
  std::vector<GraphTask> tasks;
  absl::flat_hash_map<std::string, size_t> index;
  absl::Status status = absl::OkStatus();
  passes::PipelineOptions options;
  options.target = &target;
  options.conv_config = [&](const ir::ops::Conv2dWorkload& w, int64_t input_block) {
    const ir::ops::Conv2dBlocks blocks = ir::ops::GraphConv2dBlocks(w, target, input_block);
    auto [it, inserted] = index.emplace(
        absl::StrCat(w.ToString(), " ", blocks.ic_bn, " ", blocks.oc_bn), tasks.size());
    if (!inserted) {
      ++tasks[it->second].occurrences;
    } else if (status.ok()) {
      auto task = ir::ops::MakeConv2dNCHWcTask(w, target, &blocks);
      auto config = task.ok() ? ir::ops::DefaultConv2dNCHWcTaskConfig(*task, w, target)
                              : absl::StatusOr<Config>(task.status());
      if (config.ok()) {
        tasks.push_back(GraphTask{*std::move(task), w, blocks, 1, *std::move(config)});
      } else {
        status = config.status();
        index.erase(it);
      }
    }
    return ir::ops::DefaultGraphConv2dNCHWcConfig(w, target, input_block);
  };
  graph::Graph copy = g;
  if (auto st = passes::OptimizeGraph(copy, options); !st.ok()) return st;
  if (!status.ok()) return status;
  return tasks;
}

passes::Conv2dConfigChooser ConvConfigsFromRecords(const HistoryBest& history,
                                                   const targets::Target& target,
                                                   std::vector<std::string>* missing) {
  auto warned = std::make_shared<absl::flat_hash_set<std::string>>();
  return [&history, target, missing, warned](const ir::ops::Conv2dWorkload& w,
                                              int64_t input_block) {
    const ir::ops::Conv2dBlocks blocks = ir::ops::GraphConv2dBlocks(w, target, input_block);
    auto task = ir::ops::MakeConv2dNCHWcTask(w, target, &blocks);
    if (task.ok()) {
      auto best = history.BestConfig(*task);
      if (best.ok()) {
        auto config = ir::ops::Conv2dNCHWcConfigFrom(*best);
        if (config.ok()) return *config;
      }
    }
    if (warned->insert(w.ToString()).second) {
      LOG(WARNING) << "no tuning record for " << w.ToString() << " on " << target.ToString()
                   << "; using the default schedule";
      if (missing) missing->push_back(w.ToString());
    }
    return ir::ops::DefaultGraphConv2dNCHWcConfig(w, target, input_block);
  };
}

}  // namespace kiln::tuners

#include "tuners/graph_tasks.h"

#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "glog/logging.h"
#include "ir/ops/conv2d_nchwc_task.h"

namespace kiln::tuners {

absl::StatusOr<std::vector<GraphTask>> ExtractTasks(const graph::Graph& g,
                                                    const targets::Target& target) {
  std::vector<GraphTask> tasks;
  absl::flat_hash_map<std::string, size_t> index;
  for (const graph::Node& n : g.nodes()) {
    if (n.op != "conv") continue;
    auto w = passes::BlockableConv2dWorkload(g, n);
    if (!w.ok()) continue;  // compiled by the plain NCHW kernels, not tuned
    auto [it, inserted] = index.emplace(w->ToString(), tasks.size());
    if (!inserted) {
      ++tasks[it->second].occurrences;
      continue;
    }
    auto task = ir::ops::MakeConv2dNCHWcTask(*w, target);
    if (!task.ok()) return task.status();
    auto config = ir::ops::DefaultConv2dNCHWcTaskConfig(*task, *w, target);
    if (!config.ok()) return config.status();
    tasks.push_back(GraphTask{*std::move(task), *w, 1, *std::move(config)});
  }
  return tasks;
}

passes::Conv2dConfigChooser ConvConfigsFromRecords(const HistoryBest& history,
                                                   const targets::Target& target,
                                                   std::vector<std::string>* missing) {
  auto warned = std::make_shared<absl::flat_hash_set<std::string>>();
  return [&history, target, missing, warned](const ir::ops::Conv2dWorkload& w) {
    auto task = ir::ops::MakeConv2dNCHWcTask(w, target);
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
    return ir::ops::DefaultConv2dNCHWcConfig(w, target);
  };
}

}  // namespace kiln::tuners

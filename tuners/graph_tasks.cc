#include "tuners/graph_tasks.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "ir/tuning/template_registry.h"
#include "passes/pipeline.h"

namespace kiln::tuners {
namespace {

// Compiles every node with its default and remembers what was asked.
class TaskRecorder final : public tuning::ScheduleContext {
 public:
  tuning::Config Query(const tuning::TuningTask& task, const tuning::Config& fallback) override {
    auto [it, inserted] = index_.emplace(task.WorkloadKey(), tasks_.size());
    if (inserted) {
      tasks_.push_back(GraphTask{task, 1, fallback});
    } else {
      ++tasks_[it->second].occurrences;
    }
    return fallback;
  }

  std::vector<GraphTask> Take() { return std::move(tasks_); }

 private:
  std::vector<GraphTask> tasks_;
  absl::flat_hash_map<std::string, size_t> index_;
};

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

absl::StatusOr<std::vector<GraphTask>> ExtractTasks(const graph::Graph& g,
                                                    const targets::Target& target) {
  TaskRecorder recorder;
  passes::PipelineOptions options;
  options.target = &target;
  options.schedules = &recorder;
  graph::Graph copy = g;
  if (auto st = passes::OptimizeGraph(copy, options); !st.ok()) return st;
  return recorder.Take();
}

tuning::Config HistorySchedules::Query(const tuning::TuningTask& task,
                                       const tuning::Config& fallback) {
  const std::string key = task.WorkloadKey();
  auto best = history_.BestConfig(task);
  if (best.ok()) {
    if (!Contains(applied_, key)) applied_.push_back(key);
    return *best;
  }
  if (!Contains(missing_keys_, key)) {
    missing_keys_.push_back(key);
    missing_.push_back(tuning::DescribeTask(task));
  }
  return fallback;
}

}  // namespace kiln::tuners

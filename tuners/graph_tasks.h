// The tuning side of a whole model: its tunable workloads (AutoTVM's
// extract_from_program) and the schedules a records file selects for
// compiling it (apply_history_best), both as schedule contexts the graph
// passes ask for every tunable node.
#ifndef KILN_TUNERS_GRAPH_TASKS_H_
#define KILN_TUNERS_GRAPH_TASKS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/graph/graph.h"
#include "ir/tuning/config_space.h"
#include "ir/tuning/schedule_context.h"
#include "ir/tuning/task.h"
#include "targets/target.h"
#include "tuners/records.h"

namespace kiln::tuners {

struct GraphTask {
  tuning::TuningTask task;
  int occurrences = 0;            // nodes of the model with this workload
  tuning::Config default_config;  // the target's analytical default
};

// One task per distinct tunable workload, of every template, in order of
// first appearance: the tasks the compiler asks the schedule context about
// while it compiles `g` for `target`. A convolution's task has the blocks
// the model's layouts fix, so what tuning measures is the kernel the model
// runs.
absl::StatusOr<std::vector<GraphTask>> ExtractTasks(const graph::Graph& g,
                                                    const targets::Target& target);

// apply_history_best: the best record of each workload (`history` must
// outlive the context), the template's default where there is none.
class HistorySchedules final : public tuning::ScheduleContext {
 public:
  explicit HistorySchedules(const HistoryBest& history) : history_(history) {}

  tuning::Config Query(const tuning::TuningTask& task, const tuning::Config& fallback) override;

  // Distinct workloads compiled with a record, and those without one
  // (described in words), in order of first query.
  int applied() const { return static_cast<int>(applied_.size()); }
  const std::vector<std::string>& missing() const { return missing_; }

 private:
  const HistoryBest& history_;
  std::vector<std::string> applied_;  // workload keys
  std::vector<std::string> missing_keys_;
  std::vector<std::string> missing_;
};

}  // namespace kiln::tuners

#endif  // KILN_TUNERS_GRAPH_TASKS_H_

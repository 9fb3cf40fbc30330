// The tuning side of a whole model: its tunable workloads (AutoTVM's
// extract_from_program) and the conv schedules a records file selects for
// compiling it (apply_history_best).
#ifndef KILN_TUNERS_GRAPH_TASKS_H_
#define KILN_TUNERS_GRAPH_TASKS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/graph/graph.h"
#include "ir/ops/conv2d_nchwc.h"
#include "passes/convert_to_nchwc.h"
#include "targets/target.h"
#include "tuners/config_space.h"
#include "tuners/records.h"
#include "tuners/task.h"

namespace kiln::tuners {

struct GraphTask {
  TuningTask task;
  ir::ops::Conv2dWorkload workload;  // bare: no bias, activation or residual
  ir::ops::Conv2dBlocks blocks;      // as the model's layouts fix them
  int occurrences = 0;               // nodes of the model with this workload and blocks
  Config default_config;             // the target's analytical default
};

// One task per distinct convolution workload (and input block) that compiles
// to conv2d_NCHWc, in order of first appearance. The blocks are those the
// compiled model uses (see ir::ops::GraphConv2dBlocks), so that what tuning
// measures is the kernel the model runs.
absl::StatusOr<std::vector<GraphTask>> ExtractTasks(const graph::Graph& g,
                                                    const targets::Target& target);

// Conv schedules from `history` (which must outlive the chooser), the
// target's default for workloads it has no valid record of; each such
// workload is named once in `missing` (when given) and in one warning.
passes::Conv2dConfigChooser ConvConfigsFromRecords(const HistoryBest& history,
                                                   const targets::Target& target,
                                                   std::vector<std::string>* missing = nullptr);

}  // namespace kiln::tuners

#endif  // KILN_TUNERS_GRAPH_TASKS_H_

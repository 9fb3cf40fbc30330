// The last step of tuning a model: a pick must win where it runs. Each
// task's best config was measured alone; inside the model its kernel meets
// warm or cold caches, other threads' splits and the steps that read its
// output, and a pick that won alone can lose there. So the model is built
// twice, with the picks not yet checked and with their defaults (every other
// workload as the records already choose), both are run step by step in
// interleaved rounds at one thread and at the pool's thread count, and for
// each workload the time of its steps and of the steps that read their
// outputs decides: a pick 1% faster at every thread count is recorded beside
// its default as in-model records (a round's sample sums the thread
// counts), which then decide the workload's config (tuners/records.h); a
// pick slower at any gets none and its default's record decides.
#ifndef KILN_DRIVER_CONFIRM_IN_MODEL_H_
#define KILN_DRIVER_CONFIRM_IN_MODEL_H_

#include <cstdio>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/graph/graph.h"
#include "targets/target.h"
#include "tuners/graph_tasks.h"
#include "tuners/record_store.h"

namespace kiln::driver {

struct InModelReport {
  int checked = 0;  // workloads whose pick was timed in the model now
  int kept = 0;     // of which the pick's steps were 1% faster at every thread count
  double default_ms = 0, picks_ms = 0;  // their steps' medians at one thread, summed
};

// Checks every task whose best isolated config is not its default and has
// no in-model record yet; `rounds` interleaved runs of each model (at least
// 3). Progress and the verdicts go to `progress` when not null.
absl::StatusOr<InModelReport> ConfirmInModel(const graph::Graph& g,
                                             const targets::Target& target,
                                             const std::vector<tuners::GraphTask>& tasks,
                                             tuners::RecordStore& store, int rounds,
                                             std::FILE* progress);

}  // namespace kiln::driver

#endif  // KILN_DRIVER_CONFIRM_IN_MODEL_H_

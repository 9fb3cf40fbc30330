// Tuning a model, as `kiln tune` does: extract its conv tasks, measure the
// default schedule of each first (so a tuned build can never be slower),
// then search each task's space with a tuner whose cost model starts from
// the records of the other workloads (transfer learning), appending every
// measurement to the records file as it happens.
#ifndef KILN_DRIVER_TUNE_MODEL_H_
#define KILN_DRIVER_TUNE_MODEL_H_

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/graph/graph.h"
#include "targets/target.h"
#include "tuners/graph_tasks.h"
#include "tuners/measure.h"
#include "tuners/remote_runner.h"

namespace kiln::driver {

struct TuneModelOptions {
  std::string tuner = "xgb";
  // The tuner's own parameters (TunerOptions::params) and population size
  // (0: its default).
  std::map<std::string, std::string> tuner_params;
  int population_size = 0;
  int trials = 20;          // per task, counting measurements resumed from records
  int early_stopping = 0;   // 0: off
  uint64_t seed = 0;
  tuners::MeasureOption measure;
  // With a broker, candidates are measured by kiln_worker processes of the
  // device key (tuners/remote_runner.h); without, here.
  tuners::RemoteOptions remote;
  std::string records;      // appended to; a rerun resumes from it
  std::string prior;        // earlier records to resume from (copied into `records`)
  int max_tasks = 0;        // tune only the first N tasks (0: all)
  // After a task's trials its `confirm_top` best configs and the default are
  // measured `confirm_rounds` more times, alternately, and so is any config
  // that then leads on fewer samples; the records then pick by the median of
  // all samples of a config, not by its luckiest one.
  int confirm_top = 3;
  int confirm_rounds = 2;
  // Then every pick is timed inside the model against its default, in this
  // many interleaved runs of both builds, and kept only where the model's
  // own steps get faster (driver/confirm_in_model.h); 0: not checked.
  int in_model_rounds = 9;
  std::FILE* progress = stdout;
};

struct TaskReport {
  std::string workload;
  int occurrences = 0;
  double default_gflops = 0;  // median of all the default's samples
  double best_gflops = 0;     // the records' pick, likewise
  int trials = 0;
  double seconds = 0;
};

// What measures candidates of `t`: its template's harness built and run as
// `option` says, checked against the default config's output; here, or by
// the workers of `remote`'s broker when it names one.
absl::StatusOr<tuners::MeasureFunction> MakeTaskMeasure(const tuners::GraphTask& t,
                                                        const targets::Target& target,
                                                        const tuners::MeasureOption& option,
                                                        const tuners::RemoteOptions& remote = {});

absl::StatusOr<std::vector<TaskReport>> TuneModel(const graph::Graph& g,
                                                  const targets::Target& target,
                                                  const TuneModelOptions& options);

}  // namespace kiln::driver

#endif  // KILN_DRIVER_TUNE_MODEL_H_

// Running a compiled model from the command line, shared by `kiln run` and
// the runtime-only `kiln_deploy`: inputs from NumPy files or random, outputs
// to NumPy files, and tvmc-style timing statistics.
#ifndef KILN_DRIVER_RUN_MODEL_H_
#define KILN_DRIVER_RUN_MODEL_H_

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/graph_executor.h"
#include "runtime/ndarray.h"

namespace kiln::driver {

using NamedArrays = std::vector<std::pair<std::string, runtime::NDArray>>;

struct TimingStats {
  double mean_ms = 0, median_ms = 0, max_ms = 0, min_ms = 0, std_ms = 0;
  std::vector<double> samples_ms;
};

// `repeat` samples, each the mean time of `number` consecutive runs (as
// tvmc and TVM's time_evaluator count them), after one warm-up run. With
// `min_repeat_ms` > 0, `number` grows (as time_evaluator's does) until one
// sample takes at least that long.
absl::StatusOr<TimingStats> TimeRuns(const std::function<absl::Status()>& run, int repeat,
                                     int number, int min_repeat_ms = 0);
// Two programs compared fairly on a noisy machine: `rounds` samples of each,
// taken alternately (each after its own warm-up run), so that a quiet or a
// busy spell falls on both alike.
absl::StatusOr<std::pair<TimingStats, TimingStats>> TimeInterleaved(
    const std::function<absl::Status()>& a, const std::function<absl::Status()>& b, int rounds,
    int number);
// Mean, median, max, min and std of `samples_ms`.
TimingStats StatsOfSamples(std::vector<double> samples_ms);

// tvmc's "Execution time summary" table.
std::string FormatTimingStats(const TimingStats& stats);

// Binds `arrays` to the model's inputs by name: every input must be given
// exactly once, with its shape and dtype; names the model lacks are errors.
absl::Status SetInputs(runtime::GraphExecutor& executor, const NamedArrays& arrays);
// Seeded uniform values in [0, 1) for float inputs (zeros for others).
absl::Status SetRandomInputs(runtime::GraphExecutor& executor, uint64_t seed);
// Copies of the outputs, by name, in the model's order.
absl::StatusOr<NamedArrays> CollectOutputs(const runtime::GraphExecutor& executor);

// .npz (by name) or .npy (a model with one input/output).
absl::StatusOr<NamedArrays> ReadArrays(const std::string& path,
                                       const runtime::GraphExecutor& executor);
absl::Status WriteArrays(const std::string& path, const NamedArrays& arrays);

struct RunOptions {
  std::string inputs;   // empty: random inputs
  std::string outputs;  // empty: not written
  bool print_time = false;
  bool profile = false;  // time each kernel (median of `repeat` runs)
  int repeat = 1;
  int number = 1;
  int num_threads = 0;  // 0: the runtime's default
  uint64_t seed = 0;
  // Say what is loaded before running it: the model, the artifact's format
  // version, the CPU features its kernels need, its inputs and outputs.
  bool verbose = false;
};

// Resizes the kernels' thread pool (0: leave the default, the cores this
// process may use); a count above those cores is allowed but warned about
// on `warnings`, in one line.
absl::Status SetNumThreads(int num_threads, std::FILE* warnings);

// Loads the artifact at `path`, runs it as `options` say and prints to `out`.
absl::Status RunArtifact(const std::string& path, const RunOptions& options, std::FILE* out);
// Runs a loaded model as `options` say (its thread count aside) and prints
// to `out`.
absl::Status RunExecutor(runtime::GraphExecutor& executor, const RunOptions& options,
                         std::FILE* out);

}  // namespace kiln::driver

#endif  // KILN_DRIVER_RUN_MODEL_H_

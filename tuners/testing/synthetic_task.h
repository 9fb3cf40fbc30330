// Synthetic tuning tasks for testing tuners without compiling anything.
//
// The spaces look like a conv2d_NCHWc schedule's (tiles of input channels,
// output channels and output width, plus an unroll flag) and the cost is a
// deterministic, noise-free function of the knob values with one clear
// optimum: each tile size pays a penalty growing with its log-distance from
// a preferred size, a register-tile term couples the output-channel and
// width tiles, and not unrolling costs extra.
#ifndef KILN_TUNERS_TESTING_SYNTHETIC_TASK_H_
#define KILN_TUNERS_TESTING_SYNTHETIC_TASK_H_

#include <functional>
#include <memory>

#include "ir/tuning/config_space.h"
#include "ir/tuning/task.h"
#include "tuners/measure.h"

namespace kiln::tuners::testing {

struct SyntheticTask {
  tuning::TuningTask task;
  // Seconds per run of a config; +inf marks a config that "crashes".
  std::function<double(const tuning::Config&)> cost;
  double optimum_cost = 0;  // smallest finite cost in the space
};

// 672 configs: tile_ic = split(64, 2), tile_oc = split(128, 2),
// tile_ow = split(56, 2, innermost <= 16), unroll_kw. Configs with the whole
// output-channel axis as the inner tile (oc inner = 128) "crash" (measured
// as RUNTIME_DEVICE) so every tuner also meets failures.
std::unique_ptr<SyntheticTask> MakeConv2dLikeTask();

// 972,000 configs: three three-level splits, a two-level one and unroll_kw,
// with interactions between levels; a random sample of a hundred configs
// rarely comes near the optimum, a model of the landscape can.
std::unique_ptr<SyntheticTask> MakeHardTask();

// A measure function for `synthetic`: costs = {cost} (repeat 1), error
// RUNTIME_DEVICE for infinite costs; counts calls in *measured if given.
MeasureFunction SyntheticMeasure(const SyntheticTask& synthetic,
                                 int* measured = nullptr);

}  // namespace kiln::tuners::testing

#endif  // KILN_TUNERS_TESTING_SYNTHETIC_TASK_H_

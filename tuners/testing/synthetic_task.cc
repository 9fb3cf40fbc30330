#include "tuners/testing/synthetic_task.h"

#include <cmath>
#include <limits>
#include <vector>

#include "glog/logging.h"

namespace kiln::tuners::testing {
namespace {

double Penalty(double value, double preferred, double weight) {
  double d = std::log2(value) - std::log2(preferred);
  return 1.0 + weight * d * d;
}

// Split extents of knob `k` of `config` (knob order is fixed by the maker).
const std::vector<int64_t>& SplitOf(const tuning::Config& config, int k) {
  return std::get<std::vector<int64_t>>(
      config.knobs()[k].value(config.choices()[k]));
}

bool BoolOf(const tuning::Config& config, int k) {
  return std::get<bool>(config.knobs()[k].value(config.choices()[k]));
}

double ScanOptimum(const SyntheticTask& synthetic) {
  double best = std::numeric_limits<double>::infinity();
  for (int64_t i = 0; i < synthetic.task.space.size(); ++i) {
    best = std::min(best, synthetic.cost(synthetic.task.space.At(i)));
  }
  return best;
}

void CheckOk(const absl::Status& status) { CHECK(status.ok()) << status; }

}  // namespace

std::unique_ptr<SyntheticTask> MakeConv2dLikeTask() {
  auto synthetic = std::make_unique<SyntheticTask>();
  tuning::TuningTask& task = synthetic->task;
  task.name = "conv2d_NCHWc.synthetic";
  task.args =
      tuning::Json(tuning::Json::Array{tuning::Json(tuning::Json::Array{1, 64, 56, 56}),
                                       tuning::Json(tuning::Json::Array{128, 64, 3, 3}),
                                       tuning::Json(1), tuning::Json(1), tuning::Json("float32")});
  task.target = "llvm -mcpu=synthetic";
  task.flop = 2.0 * 128 * 64 * 56 * 56 * 9;
  CheckOk(task.space.DefineSplit("tile_ic", 64, 2));
  CheckOk(task.space.DefineSplit("tile_oc", 128, 2));
  tuning::SplitOptions ow;
  ow.max_innermost = 16;
  CheckOk(task.space.DefineSplit("tile_ow", 56, 2, ow));
  CheckOk(task.space.DefineBool("unroll_kw"));
  synthetic->cost = [](const tuning::Config& config) {
    double ic = SplitOf(config, 0)[1];
    double oc = SplitOf(config, 1)[1];
    double ow = SplitOf(config, 2)[1];
    if (oc == 128) return std::numeric_limits<double>::infinity();
    return 1e-3 * Penalty(ic, 8, 0.15) * Penalty(oc, 16, 0.2) *
           Penalty(ow, 8, 0.25) * Penalty(oc * ow, 128, 0.1) *
           (BoolOf(config, 3) ? 1.0 : 1.3);
  };
  synthetic->optimum_cost = ScanOptimum(*synthetic);
  return synthetic;
}

std::unique_ptr<SyntheticTask> MakeHardTask() {
  auto synthetic = std::make_unique<SyntheticTask>();
  tuning::TuningTask& task = synthetic->task;
  task.name = "conv2d_NCHWc.synthetic_hard";
  task.args = tuning::Json(tuning::Json::Array{tuning::Json(tuning::Json::Array{1, 256, 56, 56}),
                                               tuning::Json(tuning::Json::Array{256, 256, 3, 3})});
  task.target = "llvm -mcpu=synthetic";
  task.flop = 2.0 * 256 * 256 * 56 * 56 * 9;
  CheckOk(task.space.DefineSplit("tile_ic", 256, 3));
  CheckOk(task.space.DefineSplit("tile_oc", 256, 3));
  CheckOk(task.space.DefineSplit("tile_ow", 56, 3));
  CheckOk(task.space.DefineSplit("tile_oh", 56, 2));
  CheckOk(task.space.DefineBool("unroll_kw"));
  synthetic->cost = [](const tuning::Config& config) {
    const std::vector<int64_t>& ic = SplitOf(config, 0);
    const std::vector<int64_t>& oc = SplitOf(config, 1);
    const std::vector<int64_t>& ow = SplitOf(config, 2);
    const std::vector<int64_t>& oh = SplitOf(config, 3);
    double cost = 1e-3;
    // Register tile: oc x ow innermost, best 16 x 4 = 64 accumulators.
    cost *= Penalty(oc[2], 16, 0.3) * Penalty(ow[2], 4, 0.3) *
            Penalty(static_cast<double>(oc[2] * ow[2]), 64, 0.2);
    // Cache tile: the middle levels should hold about 2^12 elements of the
    // inputs, and the ic inner loop should be short.
    double cache = static_cast<double>(ic[1] * ic[2] * ow[1] * ow[2] * oh[1]);
    cost *= Penalty(cache, 4096, 0.15) * Penalty(ic[2], 4, 0.2);
    cost *= Penalty(static_cast<double>(oc[1]), 4, 0.1);
    cost *= Penalty(static_cast<double>(oh[1]), 2, 0.1);
    cost *= BoolOf(config, 4) ? 1.0 : 1.2;
    return cost;
  };
  synthetic->optimum_cost = ScanOptimum(*synthetic);
  return synthetic;
}

MeasureFunction SyntheticMeasure(const SyntheticTask& synthetic,
                                 int* measured) {
  return [&synthetic, measured](const std::vector<MeasureInput>& inputs)
             -> absl::StatusOr<std::vector<MeasureResult>> {
    std::vector<MeasureResult> results;
    for (const MeasureInput& input : inputs) {
      if (measured != nullptr) ++*measured;
      MeasureResult result;
      double cost = synthetic.cost(input.config);
      if (std::isinf(cost)) {
        result.error_no = MeasureErrorNo::kRuntimeDevice;
        result.error_msg = "synthetic crash";
      } else {
        result.costs = {cost};
      }
      result.all_cost = 0.5;
      result.timestamp = 1.7e9;
      results.push_back(std::move(result));
    }
    return results;
  };
}

}  // namespace kiln::tuners::testing

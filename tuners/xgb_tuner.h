// The xgb tuner family: a cost model (xgb_cost_model.h) guides a simulated
// annealing search (simulated_annealing.h) of the space.
//
// Cycle: after every Update the model is retrained from scratch on all
// measurements so far (plus transferred history, see LoadHistory). The next
// NextBatch then anneals over the space with the new model and keeps the
// `plan_size` best-scoring unmeasured configs as its plan; batches are taken
// from the plan's top, except that each slot is, with probability
// `epsilon`, a random unmeasured config instead, so a wrong model cannot
// hide a region of the space forever. Until `min_train` measurements (or
// history records) exist, batches are random.
//
// Registered names (one implementation; xgb_tuner_registration.cc):
//   xgb[_rank|_rank_binary][_knob|_itervar|_curve]
// with loss reg / rank / rank-binary and feature knob / itervar / curve. A
// name without a feature suffix uses itervar, and "xgb" without a loss
// suffix is reg + itervar: that is TVM's XGBTuner default (loss_type="reg",
// feature_type="itervar") and the reading under which xgb_knob, xgb_rank
// and the rest name distinct tuners.
//
// Parameters (TunerOptions::params): plan_size (64), epsilon (0.05),
// min_train (8), num_boost_round (80), max_depth (3), sa_steps (100),
// binary_threshold (0.8, rank-binary only); population_size sets the number
// of annealing chains (128).
#ifndef KILN_TUNERS_XGB_TUNER_H_
#define KILN_TUNERS_XGB_TUNER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "tuners/features.h"
#include "tuners/tuner.h"
#include "tuners/xgb_cost_model.h"

namespace kiln::tuners {

absl::StatusOr<std::unique_ptr<Tuner>> MakeXgbTuner(const tuning::TuningTask& task,
                                                    const TunerOptions& options, XgbLoss loss,
                                                    FeatureType feature);

}  // namespace kiln::tuners

#endif  // KILN_TUNERS_XGB_TUNER_H_

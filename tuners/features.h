// Feature vectors the xgb cost models learn from.
//
// kKnob is the knob values themselves (Config::KnobFeatures). kItervar and
// kCurve describe the loop nest a config produces; AutoTVM extracts them from
// the lowered IR. In kiln that extractor belongs to the operator side and
// plugs in through TuningTask::features (see task.h). Until it does, and for
// tasks that have none, the functions below DERIVE approximations from the
// split knobs alone. They know nothing about the operator's actual loop
// order, buffers or access strides, so they are a proxy, not loop analysis:
//
// The assumed nest: every split knob is one axis, and level l of every axis
// forms one loop; loops run level by level (all outermost levels first, then
// the next level of each axis, ...), axes in definition order within a
// level — the usual "tile then tile again" order of AutoTVM's x86 templates.
//
// ItervarFeaturesFromKnobs, per loop (axis a, level l), outermost first:
//   log2(1 + extent), log2(1 + product of axis a's extents at level >= l)
//   (the axis' tile size seen from this loop), log2(1 + iterations of the
//   whole nest inside and including this loop)
// then for the whole nest: log2(1 + product of innermost extents) (the
// register tile), log2(1 + product of the two innermost levels) (the cache
// tile), then every non-split knob's knob features (unroll flags, choices).
//
// CurveFeaturesFromKnobs: walking the assumed nest from the innermost loop
// outwards, after each loop let t_a be the span of axis a covered so far,
// x = log2(iterations covered). Two "touch" curves are tracked, a stand-in
// for the reuse curves AutoTVM samples from buffer accesses: y1 =
// log2(sum_a t_a) (one-dimensional operands indexed by one axis each) and
// y2 = log2(sum over axis pairs t_a * t_b) (two-dimensional operands, e.g. a
// conv's output tile oc x ow), plus reuse r = x - y2. Each curve is sampled at
// x = 0, 1, ..., kCurveSamples - 1 by linear interpolation (held flat past its
// end), which gives a fixed length whatever the knobs are — what makes curve
// features transferable between tasks. Two summaries of the non-split knobs
// follow: the fraction of bool knobs set and the mean normalized choice index
// of choice/annotate knobs.
#ifndef KILN_TUNERS_FEATURES_H_
#define KILN_TUNERS_FEATURES_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ir/tuning/config_space.h"

namespace kiln::tuners {

enum class FeatureType { kKnob, kItervar, kCurve };

// "knob", "itervar", "curve".
absl::string_view FeatureTypeName(FeatureType type);
absl::StatusOr<FeatureType> ParseFeatureType(absl::string_view name);

inline constexpr int kCurveSamples = 20;

std::vector<float> ItervarFeaturesFromKnobs(const tuning::Config& config);
std::vector<float> CurveFeaturesFromKnobs(const tuning::Config& config);

// The feature vector of `config` of the given type.
std::vector<float> ExtractFeatures(const tuning::Config& config, FeatureType type);

}  // namespace kiln::tuners

#endif  // KILN_TUNERS_FEATURES_H_

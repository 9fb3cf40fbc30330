#include "tuners/features.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace kiln::tuners {
namespace {

float Log2p1(double x) { return static_cast<float>(std::log2(1.0 + x)); }

// One loop of the assumed nest (see features.h).
struct Loop {
  int axis;
  int part;  // index into the axis' extents (0: its outermost)
  int64_t extent;
};

struct AssumedNest {
  // extents[a][l]: split knob a's extent at level l, outermost level first.
  std::vector<std::vector<int64_t>> extents;
  std::vector<Loop> loops;  // outermost first
};

AssumedNest BuildNest(const tuning::Config& config) {
  AssumedNest nest;
  const tuning::KnobList& knobs = config.knobs();
  size_t max_levels = 0;
  for (size_t k = 0; k < knobs.size(); ++k) {
    if (knobs[k].kind() != tuning::KnobKind::kSplit) continue;
    nest.extents.push_back(std::get<std::vector<int64_t>>(
        knobs[k].value(config.choices()[k])));
    max_levels = std::max(max_levels, nest.extents.back().size());
  }
  for (size_t level = 0; level < max_levels; ++level) {
    for (size_t a = 0; a < nest.extents.size(); ++a) {
      // Axes split into fewer parts than others line up at the inside: their
      // innermost extent is always in the innermost level.
      size_t shift = max_levels - nest.extents[a].size();
      if (level < shift) continue;
      nest.loops.push_back({static_cast<int>(a),
                            static_cast<int>(level - shift),
                            nest.extents[a][level - shift]});
    }
  }
  return nest;
}

void AppendNonSplitKnobFeatures(const tuning::Config& config, std::vector<float>& out) {
  const tuning::KnobList& knobs = config.knobs();
  for (size_t k = 0; k < knobs.size(); ++k) {
    if (knobs[k].kind() == tuning::KnobKind::kSplit) continue;
    knobs[k].AppendFeatures(config.choices()[k], out);
  }
}

// Samples the piecewise-linear curve through (xs[i], ys[i]) (xs ascending)
// at x = 0 .. kCurveSamples-1, holding the end values flat outside.
void SampleCurve(const std::vector<double>& xs, const std::vector<double>& ys,
                 std::vector<float>& out) {
  for (int s = 0; s < kCurveSamples; ++s) {
    double x = s;
    double y;
    if (x <= xs.front()) {
      y = ys.front();
    } else if (x >= xs.back()) {
      y = ys.back();
    } else {
      size_t i = std::upper_bound(xs.begin(), xs.end(), x) - xs.begin();
      double x0 = xs[i - 1], x1 = xs[i];
      double t = x1 > x0 ? (x - x0) / (x1 - x0) : 1.0;
      y = ys[i - 1] + t * (ys[i] - ys[i - 1]);
    }
    out.push_back(static_cast<float>(y));
  }
}

}  // namespace

absl::string_view FeatureTypeName(FeatureType type) {
  switch (type) {
    case FeatureType::kKnob: return "knob";
    case FeatureType::kItervar: return "itervar";
    case FeatureType::kCurve: return "curve";
  }
  return "?";
}

absl::StatusOr<FeatureType> ParseFeatureType(absl::string_view name) {
  for (FeatureType type :
       {FeatureType::kKnob, FeatureType::kItervar, FeatureType::kCurve}) {
    if (FeatureTypeName(type) == name) return type;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown feature type '", name, "'; expected knob, itervar or curve"));
}

std::vector<float> ItervarFeaturesFromKnobs(const tuning::Config& config) {
  AssumedNest nest = BuildNest(config);
  std::vector<float> out;
  // Iterations inside and including each loop: suffix products.
  std::vector<double> inside(nest.loops.size() + 1, 1.0);
  for (size_t i = nest.loops.size(); i-- > 0;) {
    inside[i] = inside[i + 1] * static_cast<double>(nest.loops[i].extent);
  }
  for (size_t i = 0; i < nest.loops.size(); ++i) {
    const Loop& loop = nest.loops[i];
    const std::vector<int64_t>& axis = nest.extents[loop.axis];
    double axis_tile = 1.0;
    for (size_t l = loop.part; l < axis.size(); ++l) {
      axis_tile *= static_cast<double>(axis[l]);
    }
    out.push_back(Log2p1(static_cast<double>(loop.extent)));
    out.push_back(Log2p1(axis_tile));
    out.push_back(Log2p1(inside[i]));
  }
  double register_tile = 1.0;
  double cache_tile = 1.0;
  for (const std::vector<int64_t>& axis : nest.extents) {
    register_tile *= static_cast<double>(axis.back());
    cache_tile *= static_cast<double>(axis.back());
    if (axis.size() >= 2) cache_tile *= static_cast<double>(axis[axis.size() - 2]);
  }
  out.push_back(Log2p1(register_tile));
  out.push_back(Log2p1(cache_tile));
  AppendNonSplitKnobFeatures(config, out);
  return out;
}

std::vector<float> CurveFeaturesFromKnobs(const tuning::Config& config) {
  AssumedNest nest = BuildNest(config);
  std::vector<double> span(nest.extents.size(), 1.0);
  std::vector<double> xs, y1, y2, reuse;
  double iterations = 1.0;
  auto add_point = [&] {
    double sum = 0.0, pairs = 0.0;
    for (size_t a = 0; a < span.size(); ++a) {
      sum += span[a];
      for (size_t b = a + 1; b < span.size(); ++b) pairs += span[a] * span[b];
    }
    if (span.size() == 1) pairs = span[0];
    double x = std::log2(iterations);
    double p = pairs > 0 ? std::log2(pairs) : 0.0;
    xs.push_back(x);
    y1.push_back(sum > 0 ? std::log2(sum) : 0.0);
    y2.push_back(p);
    reuse.push_back(x - p);
  };
  add_point();
  for (size_t i = nest.loops.size(); i-- > 0;) {
    const Loop& loop = nest.loops[i];
    if (loop.extent == 1) continue;  // adds no point of its own
    span[loop.axis] *= static_cast<double>(loop.extent);
    iterations *= static_cast<double>(loop.extent);
    add_point();
  }
  std::vector<float> out;
  SampleCurve(xs, y1, out);
  SampleCurve(xs, y2, out);
  SampleCurve(xs, reuse, out);

  const tuning::KnobList& knobs = config.knobs();
  int bools = 0, bools_set = 0, choices = 0;
  double choice_sum = 0.0;
  for (size_t k = 0; k < knobs.size(); ++k) {
    const tuning::Knob& knob = knobs[k];
    int64_t c = config.choices()[k];
    if (knob.kind() == tuning::KnobKind::kBool) {
      ++bools;
      bools_set += std::get<bool>(knob.value(c)) ? 1 : 0;
    } else if (knob.kind() != tuning::KnobKind::kSplit && knob.size() > 1) {
      ++choices;
      choice_sum += static_cast<double>(c) / static_cast<double>(knob.size() - 1);
    }
  }
  out.push_back(bools > 0 ? static_cast<float>(bools_set) / bools : 0.0f);
  out.push_back(choices > 0 ? static_cast<float>(choice_sum / choices) : 0.0f);
  return out;
}

std::vector<float> ExtractFeatures(const tuning::Config& config, FeatureType type) {
  switch (type) {
    case FeatureType::kItervar:
      return ItervarFeaturesFromKnobs(config);
    case FeatureType::kCurve:
      return CurveFeaturesFromKnobs(config);
    case FeatureType::kKnob:
      break;
  }
  return config.KnobFeatures();
}

}  // namespace kiln::tuners

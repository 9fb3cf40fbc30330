#include "ir/graph/attrs_activation.h"

#include <string>

namespace kiln::graph {
namespace {

absl::StatusOr<std::optional<double>> ReadBound(const Node& n, const std::string& key) {
  if (!n.attrs.contains(key)) return std::optional<double>();
  auto v = n.Float(key);
  if (!v.ok()) return v.status();
  return std::optional<double>(*v);
}

}  // namespace

absl::StatusOr<LeakyReluAttrs> LeakyReluAttrs::Read(const Node& n) {
  auto alpha = n.Float("alpha", 0.01);
  if (!alpha.ok()) return alpha.status();
  return LeakyReluAttrs{*alpha};
}

void LeakyReluAttrs::Write(Node& n) const { n.attrs["alpha"] = alpha; }

absl::StatusOr<ClipAttrs> ClipAttrs::Read(const Node& n) {
  auto min = ReadBound(n, "min");
  auto max = ReadBound(n, "max");
  if (!min.ok()) return min.status();
  if (!max.ok()) return max.status();
  return ClipAttrs{*min, *max};
}

void ClipAttrs::Write(Node& n) const {
  if (min) n.attrs["min"] = *min;
  if (max) n.attrs["max"] = *max;
}

absl::StatusOr<HardSigmoidAttrs> HardSigmoidAttrs::Read(const Node& n) {
  auto alpha = n.Float("alpha", 0.2);
  auto beta = n.Float("beta", 0.5);
  if (!alpha.ok()) return alpha.status();
  if (!beta.ok()) return beta.status();
  return HardSigmoidAttrs{*alpha, *beta};
}

void HardSigmoidAttrs::Write(Node& n) const {
  n.attrs["alpha"] = alpha;
  n.attrs["beta"] = beta;
}

}  // namespace kiln::graph

#include "ir/graph/attrs_activation.h"

#include <string>

#include "absl/strings/str_cat.h"

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

absl::StatusOr<AlphaAttrs> AlphaAttrs::Read(const Node& n) {
  auto alpha = n.Float("alpha", 1.0);
  if (!alpha.ok()) return alpha.status();
  return AlphaAttrs{*alpha};
}

void AlphaAttrs::Write(Node& n) const { n.attrs["alpha"] = alpha; }

absl::StatusOr<SeluAttrs> SeluAttrs::Read(const Node& n) {
  SeluAttrs a;
  auto alpha = n.Float("alpha", a.alpha);
  auto gamma = n.Float("gamma", a.gamma);
  if (!alpha.ok()) return alpha.status();
  if (!gamma.ok()) return gamma.status();
  return SeluAttrs{*alpha, *gamma};
}

void SeluAttrs::Write(Node& n) const {
  n.attrs["alpha"] = alpha;
  n.attrs["gamma"] = gamma;
}

absl::StatusOr<GeluAttrs> GeluAttrs::Read(const Node& n) {
  auto approximate = n.String("approximate", "none");
  if (!approximate.ok()) return approximate.status();
  if (*approximate != "none" && *approximate != "tanh") {
    return absl::InvalidArgumentError(absl::StrCat(
        "gelu's approximate is '", *approximate, "'; expected 'none' or 'tanh'"));
  }
  return GeluAttrs{*approximate == "tanh"};
}

void GeluAttrs::Write(Node& n) const { n.attrs["approximate"] = std::string(tanh ? "tanh" : "none"); }

absl::StatusOr<ModAttrs> ModAttrs::Read(const Node& n) {
  auto fmod = n.Int("fmod", 0);
  if (!fmod.ok()) return fmod.status();
  if (*fmod != 0 && *fmod != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("mod's fmod is ", *fmod, "; expected 0 or 1"));
  }
  return ModAttrs{*fmod == 1};
}

void ModAttrs::Write(Node& n) const { n.attrs["fmod"] = int64_t{fmod ? 1 : 0}; }

absl::StatusOr<BitShiftAttrs> BitShiftAttrs::Read(const Node& n) {
  auto direction = n.String("direction");
  if (!direction.ok()) return direction.status();
  if (*direction != "LEFT" && *direction != "RIGHT") {
    return absl::InvalidArgumentError(absl::StrCat("bit_shift's direction is '", *direction,
                                                   "'; expected LEFT or RIGHT"));
  }
  return BitShiftAttrs{*direction == "LEFT"};
}

void BitShiftAttrs::Write(Node& n) const {
  n.attrs["direction"] = std::string(left ? "LEFT" : "RIGHT");
}

absl::StatusOr<IsInfAttrs> IsInfAttrs::Read(const Node& n) {
  auto negative = n.Int("detect_negative", 1);
  auto positive = n.Int("detect_positive", 1);
  if (!negative.ok()) return negative.status();
  if (!positive.ok()) return positive.status();
  return IsInfAttrs{*negative != 0, *positive != 0};
}

void IsInfAttrs::Write(Node& n) const {
  n.attrs["detect_negative"] = int64_t{negative ? 1 : 0};
  n.attrs["detect_positive"] = int64_t{positive ? 1 : 0};
}

}  // namespace kiln::graph

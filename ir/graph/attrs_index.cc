#include "ir/graph/attrs_index.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "ir/graph/attr_errors.h"

namespace kiln::graph {
namespace {

constexpr const char* kReductionNames[] = {"none", "add", "mul", "max", "min"};

}  // namespace

absl::StatusOr<TopKAttrs> TopKAttrs::Read(const Node& n) {
  TopKAttrs a;
  auto k = n.Int("k");
  auto axis = n.Int("axis", -1);
  auto largest = n.Int("largest", 1);
  if (!k.ok()) return k.status();
  if (!axis.ok()) return axis.status();
  if (!largest.ok()) return largest.status();
  if (*k < 0) return AttrError(n, absl::StrCat("k = ", *k, "; expected k >= 0"));
  a.k = *k;
  a.axis = *axis;
  a.largest = *largest != 0;
  return a;
}

void TopKAttrs::Write(Node& n) const {
  n.attrs["k"] = k;
  n.attrs["axis"] = axis;
  n.attrs["largest"] = int64_t{largest ? 1 : 0};
}

absl::StatusOr<GatherNdAttrs> GatherNdAttrs::Read(const Node& n) {
  auto batch_dims = n.Int("batch_dims", 0);
  if (!batch_dims.ok()) return batch_dims.status();
  if (*batch_dims < 0) {
    return AttrError(n, absl::StrCat("batch_dims = ", *batch_dims, "; expected >= 0"));
  }
  return GatherNdAttrs{*batch_dims};
}

void GatherNdAttrs::Write(Node& n) const { n.attrs["batch_dims"] = batch_dims; }

absl::StatusOr<ScatterAttrs> ScatterAttrs::Read(const Node& n) {
  ScatterAttrs a;
  auto reduction = n.String("reduction", "none");
  auto axis = n.Int("axis", 0);
  if (!reduction.ok()) return reduction.status();
  if (!axis.ok()) return axis.status();
  const auto* found = std::find(std::begin(kReductionNames), std::end(kReductionNames), *reduction);
  if (found == std::end(kReductionNames)) {
    return AttrError(n, absl::StrCat("reduction '", *reduction,
                                     "'; expected none, add, mul, max or min"));
  }
  a.reduction = static_cast<Reduction>(found - std::begin(kReductionNames));
  a.axis = *axis;
  return a;
}

void ScatterAttrs::Write(Node& n) const {
  n.attrs["reduction"] = std::string(kReductionNames[static_cast<int>(reduction)]);
  n.attrs["axis"] = axis;
}

double ScatterAttrs::Combine(double element, double update) const {
  switch (reduction) {
    case Reduction::kNone: return update;
    case Reduction::kAdd: return element + update;
    case Reduction::kMul: return element * update;
    case Reduction::kMax: return std::max(element, update);
    case Reduction::kMin: return std::min(element, update);
  }
  return update;
}

}  // namespace kiln::graph

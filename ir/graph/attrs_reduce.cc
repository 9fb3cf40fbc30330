#include "ir/graph/attrs_reduce.h"

#include "absl/strings/str_cat.h"

namespace kiln::graph {

absl::StatusOr<ReduceAttrs> ReduceAttrs::Read(const Node& n) {
  ReduceAttrs a;
  auto axes = n.Ints("axes", std::vector<int64_t>{});
  auto keep = n.Int("keepdims", 1);
  if (!axes.ok()) return axes.status();
  if (!keep.ok()) return keep.status();
  a.axes = *axes;
  a.keepdims = *keep != 0;
  return a;
}

void ReduceAttrs::Write(Node& n) const {
  n.attrs["axes"] = axes;
  n.attrs["keepdims"] = static_cast<int64_t>(keepdims);
}

absl::StatusOr<std::vector<bool>> ReduceAttrs::Reduced(size_t rank) const {
  const int64_t r = static_cast<int64_t>(rank);
  std::vector<bool> reduced(rank, axes.empty());
  for (int64_t a : axes) {
    const int64_t axis = a < 0 ? a + r : a;
    if (axis < 0 || axis >= r) {
      return absl::InvalidArgumentError(
          absl::StrCat("axis ", a, " is out of range for rank ", rank));
    }
    reduced[axis] = true;
  }
  return reduced;
}

absl::StatusOr<ArgReduceAttrs> ArgReduceAttrs::Read(const Node& n) {
  ArgReduceAttrs a;
  auto axis = n.Int("axis", 0);
  auto keep = n.Int("keepdims", 1);
  auto last = n.Int("select_last_index", 0);
  if (!axis.ok()) return axis.status();
  if (!keep.ok()) return keep.status();
  if (!last.ok()) return last.status();
  a.axis = *axis;
  a.keepdims = *keep != 0;
  a.select_last_index = *last != 0;
  return a;
}

void ArgReduceAttrs::Write(Node& n) const {
  n.attrs["axis"] = axis;
  n.attrs["keepdims"] = static_cast<int64_t>(keepdims);
  n.attrs["select_last_index"] = static_cast<int64_t>(select_last_index);
}

absl::StatusOr<CumSumAttrs> CumSumAttrs::Read(const Node& n) {
  auto axis = n.Int("axis");
  auto exclusive = n.Int("exclusive", 0);
  auto reverse = n.Int("reverse", 0);
  if (!axis.ok()) return axis.status();
  if (!exclusive.ok()) return exclusive.status();
  if (!reverse.ok()) return reverse.status();
  return CumSumAttrs{*axis, *exclusive != 0, *reverse != 0};
}

void CumSumAttrs::Write(Node& n) const {
  n.attrs["axis"] = axis;
  n.attrs["exclusive"] = static_cast<int64_t>(exclusive);
  n.attrs["reverse"] = static_cast<int64_t>(reverse);
}

bool ReduceAttrs::KeepsSpatialAxesOnly() const {
  if (!keepdims || axes.empty()) return false;
  for (int64_t a : axes) {
    if (a != 2 && a != 3 && a != -1 && a != -2) return false;
  }
  return true;
}

}  // namespace kiln::graph

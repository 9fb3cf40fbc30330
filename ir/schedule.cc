#include "ir/schedule.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "ir/functor.h"

namespace kiln::ir {
namespace {

Axis NewAxis(std::string name, bool is_reduce, Var root_var = Var()) {
  auto axis = std::make_shared<AxisNode>();
  axis->name = std::move(name);
  axis->is_reduce = is_reduce;
  axis->root_var = std::move(root_var);
  return axis;
}

}  // namespace

Stage::Stage(Schedule* schedule, Tensor tensor, Expr body)
    : schedule_(schedule), tensor_(std::move(tensor)), body_(std::move(body)) {
  for (size_t i = 0; i < tensor_->axes.size(); ++i) {
    const IterVar& iv = tensor_->axes[i];
    root_axes_.push_back(NewAxis(iv->var.name(), false, iv->var));
    root_extents_.push_back(tensor_->shape[i]);
  }
  if (const auto* reduce = body_.as<ReduceNode>()) {
    for (const IterVar& iv : reduce->axes) {
      reduce_axes_.push_back(NewAxis(iv->var.name(), true, iv->var));
      const int64_t* extent = AsConstInt(iv->extent);
      reduce_extents_.push_back(extent ? *extent : 0);
      if (!extent) Fail(absl::StrCat("reduce axis ", iv->var.name(), " of ", tensor_->name,
                                      " must have a constant extent"));
    }
  }
  leaf_axes_ = root_axes_;
  leaf_axes_.insert(leaf_axes_.end(), reduce_axes_.begin(), reduce_axes_.end());
}

void Stage::Fail(std::string message) {
  schedule_->Fail(absl::StrCat("stage ", tensor_ ? tensor_->name : "?", ": ", message));
}

Axis Stage::axis(int i) {
  if (i < 0 || i >= static_cast<int>(root_axes_.size())) {
    Fail(absl::StrCat("axis(", i, ") out of range; the tensor has ", root_axes_.size(),
                      " axes"));
    return NewAxis("invalid", false);
  }
  return root_axes_[i];
}

Axis Stage::reduce_axis(int i) {
  if (i < 0 || i >= static_cast<int>(reduce_axes_.size())) {
    Fail(absl::StrCat("reduce_axis(", i, ") out of range; the stage has ",
                      reduce_axes_.size(), " reduction axes"));
    return NewAxis("invalid", true);
  }
  return reduce_axes_[i];
}

int64_t Stage::RootExtent(const Axis& axis) const {
  for (size_t i = 0; i < root_axes_.size(); ++i) {
    if (root_axes_[i] == axis) return root_extents_[i];
  }
  for (size_t i = 0; i < reduce_axes_.size(); ++i) {
    if (reduce_axes_[i] == axis) return reduce_extents_[i];
  }
  // Derived axes: compute from relations with the full root extents.
  for (const SplitRelation& s : splits_) {
    if (s.inner == axis) return s.factor;
    if (s.outer == axis) return (RootExtent(s.parent) + s.factor - 1) / s.factor;
  }
  for (const FuseRelation& f : fuses_) {
    if (f.fused == axis) return RootExtent(f.outer) * RootExtent(f.inner);
  }
  return 0;
}

bool Stage::IsLeaf(const Axis& axis, const char* primitive) {
  if (axis && std::find(leaf_axes_.begin(), leaf_axes_.end(), axis) != leaf_axes_.end()) {
    return true;
  }
  Fail(absl::StrCat(primitive, ": axis ", axis ? axis->name : "null",
                    " is not a current loop of this stage (already split or fused, or "
                    "from another stage)"));
  return false;
}

std::pair<Axis, Axis> Stage::Split(const Axis& axis, int64_t factor) {
  Axis outer = NewAxis(absl::StrCat(axis ? axis->name : "invalid", ".outer"),
                       axis && axis->is_reduce);
  Axis inner = NewAxis(absl::StrCat(axis ? axis->name : "invalid", ".inner"),
                       axis && axis->is_reduce);
  if (!IsLeaf(axis, "split")) return {outer, inner};
  if (factor <= 0) {
    Fail(absl::StrCat("split of ", axis->name, " by factor ", factor,
                      "; expected a positive factor"));
    return {outer, inner};
  }
  splits_.push_back({axis, outer, inner, factor});
  auto it = std::find(leaf_axes_.begin(), leaf_axes_.end(), axis);
  it = leaf_axes_.erase(it);
  leaf_axes_.insert(it, {outer, inner});
  return {outer, inner};
}

std::pair<Axis, Axis> Stage::SplitByParts(const Axis& axis, int64_t nparts) {
  if (nparts <= 0) {
    Fail(absl::StrCat("split of ", axis ? axis->name : "null", " into ", nparts,
                      " parts; expected a positive count"));
    return Split(axis, 1);
  }
  const int64_t extent = RootExtent(axis);
  return Split(axis, std::max<int64_t>(1, (extent + nparts - 1) / nparts));
}

std::vector<Axis> Stage::Tile(const Axis& x, const Axis& y, int64_t x_factor,
                              int64_t y_factor) {
  auto [xo, xi] = Split(x, x_factor);
  auto [yo, yi] = Split(y, y_factor);
  Reorder({xo, yo, xi, yi});
  return {xo, yo, xi, yi};
}

Axis Stage::Fuse(const Axis& outer, const Axis& inner) {
  Axis fused = NewAxis(absl::StrCat(outer ? outer->name : "invalid", ".",
                                    inner ? inner->name : "invalid", ".fused"),
                       outer && outer->is_reduce);
  if (!IsLeaf(outer, "fuse") || !IsLeaf(inner, "fuse")) return fused;
  auto it = std::find(leaf_axes_.begin(), leaf_axes_.end(), outer);
  if (it + 1 == leaf_axes_.end() || *(it + 1) != inner) {
    Fail(absl::StrCat("fuse: ", outer->name, " must be directly outside ", inner->name));
    return fused;
  }
  if (outer->is_reduce != inner->is_reduce) {
    Fail(absl::StrCat("fuse: cannot fuse reduction and data-parallel axes ", outer->name,
                      " and ", inner->name));
    return fused;
  }
  fuses_.push_back({outer, inner, fused});
  it = leaf_axes_.erase(it, it + 2);
  leaf_axes_.insert(it, fused);
  return fused;
}

void Stage::Reorder(const std::vector<Axis>& order) {
  std::vector<size_t> positions;
  absl::flat_hash_set<const AxisNode*> seen;
  for (const Axis& a : order) {
    if (!IsLeaf(a, "reorder")) return;
    if (!seen.insert(a.get()).second) {
      Fail(absl::StrCat("reorder: axis ", a->name, " is listed twice"));
      return;
    }
    positions.push_back(std::find(leaf_axes_.begin(), leaf_axes_.end(), a) -
                        leaf_axes_.begin());
  }
  std::sort(positions.begin(), positions.end());
  for (size_t k = 0; k < order.size(); ++k) leaf_axes_[positions[k]] = order[k];
}

void Stage::Annotate(const Axis& axis, ForKind kind, const char* primitive) {
  if (!IsLeaf(axis, primitive)) return;
  if (kind == ForKind::kParallel && axis->is_reduce) {
    Fail(absl::StrCat("parallel: reduction axis ", axis->name,
                      " cannot run in parallel (iterations write the same element)"));
    return;
  }
  axis->kind = kind;
}

void Stage::Vectorize(const Axis& axis) { Annotate(axis, ForKind::kVectorized, "vectorize"); }
void Stage::Unroll(const Axis& axis) { Annotate(axis, ForKind::kUnrolled, "unroll"); }
void Stage::Parallel(const Axis& axis) { Annotate(axis, ForKind::kParallel, "parallel"); }

void Stage::Prefetch(const Tensor& tensor, const Axis& axis, int64_t distance, int64_t span) {
  if (!IsLeaf(axis, "prefetch")) return;
  if (!tensor || span < 1) {
    Fail(absl::StrCat("prefetch at ", axis->name, ": needs a tensor and a span of at least 1 ",
                      "element, got ", tensor ? tensor->name : "no tensor", " and ", span));
    return;
  }
  prefetch_hints_.push_back({tensor, axis, distance, span});
}

void Stage::ComputeAt(Stage& parent, const Axis& axis) {
  if (&parent == this) {
    Fail("compute_at: a stage cannot be computed inside itself");
    return;
  }
  if (std::find(parent.leaf_axes_.begin(), parent.leaf_axes_.end(), axis) ==
      parent.leaf_axes_.end()) {
    Fail(absl::StrCat("compute_at: axis ", axis ? axis->name : "null",
                      " is not a current loop of stage ", parent.tensor_->name));
    return;
  }
  attach_kind_ = AttachKind::kAt;
  attach_stage_ = &parent;
  attach_axis_ = axis;
}

void Stage::ComputeInline() {
  if (!reduce_axes_.empty()) {
    Fail("compute_inline: a reduction cannot be inlined into its consumers");
    return;
  }
  attach_kind_ = AttachKind::kInline;
  attach_stage_ = nullptr;
  attach_axis_ = nullptr;
}

void Stage::ComputeRoot() {
  attach_kind_ = AttachKind::kRoot;
  attach_stage_ = nullptr;
  attach_axis_ = nullptr;
}

Schedule::Schedule(std::vector<Tensor> outputs) : outputs_(std::move(outputs)) {
  absl::flat_hash_set<const TensorNode*> visited;
  std::function<void(const Tensor&)> visit = [&](const Tensor& t) {
    if (!visited.insert(t.get()).second || t->is_placeholder()) return;
    for (const Tensor& input : InputTensors(t)) visit(input);
    stages_.push_back(std::unique_ptr<Stage>(new Stage(this, t, t->body)));
  };
  for (const Tensor& t : outputs_) {
    if (t->is_placeholder()) {
      Fail(absl::StrCat("output ", t->name, " is a placeholder, not a computation"));
      continue;
    }
    visit(t);
  }
}

void Schedule::Fail(std::string message) {
  if (status_.ok()) status_ = absl::InvalidArgumentError(std::move(message));
}

Stage& Schedule::operator[](const Tensor& tensor) {
  for (auto& stage : stages_) {
    if (stage->tensor_ == tensor) return *stage;
  }
  Fail(absl::StrCat("tensor ", tensor ? tensor->name : "null",
                    " has no stage in this schedule (a placeholder, or not reachable "
                    "from the outputs)"));
  // A throwaway stage so that a chain of primitives stays well-defined.
  scratch_.reset(new Stage(this, Placeholder("invalid", {1}), Expr(0.0f)));
  return *scratch_;
}

Tensor Schedule::CacheWrite(const Tensor& tensor) {
  Stage& stage = (*this)[tensor];
  if (stage.tensor_ != tensor) return tensor;
  auto cache = std::make_shared<TensorNode>(*tensor);
  cache->name = absl::StrCat(tensor->name, ".local");
  cache->body = stage.body_;
  Tensor cache_tensor = cache;
  // The cache stage takes over the computation; the original stage copies.
  auto cache_stage = std::unique_ptr<Stage>(new Stage(this, cache_tensor, stage.body_));
  std::vector<Expr> indices;
  for (const IterVar& iv : tensor->axes) indices.push_back(iv->var);
  Stage fresh(this, tensor, TensorRead(cache_tensor, indices));
  stage.body_ = fresh.body_;
  stage.root_axes_ = fresh.root_axes_;
  stage.root_extents_ = fresh.root_extents_;
  stage.reduce_axes_.clear();
  stage.reduce_extents_.clear();
  stage.leaf_axes_ = fresh.leaf_axes_;
  stage.splits_.clear();
  stage.fuses_.clear();
  auto it = std::find_if(stages_.begin(), stages_.end(),
                         [&](const auto& s) { return s.get() == &stage; });
  stages_.insert(it, std::move(cache_stage));
  return cache_tensor;
}

std::vector<Stage*> Schedule::stages() const {
  std::vector<Stage*> out;
  for (const auto& s : stages_) out.push_back(s.get());
  return out;
}

}  // namespace kiln::ir

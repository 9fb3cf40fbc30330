// Schedules: how the loop nest of each compute tensor is shaped.
//
// A Schedule holds one Stage per compute tensor reachable from its outputs.
// A stage starts with one loop per output dimension followed by one loop per
// reduction axis, and primitives reshape them (split, fuse, reorder), annotate
// them (vectorize, unroll, parallel), and place the stage (compute_at,
// compute_inline). Lowering (ir/lower/) turns the result into a loop nest.
//
// Tuning configs come from user files, so a bad primitive argument is not a
// crash: the first error is recorded on the schedule ("sticky") and returned
// by status() and by Lower(); primitives keep returning usable handles.
#ifndef KILN_IR_SCHEDULE_H_
#define KILN_IR_SCHEDULE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "ir/stmt.h"
#include "ir/tensor.h"

namespace kiln::ir {

// One loop of a stage. Root axes correspond to the tensor's dimensions and
// reduction axes; split and fuse derive new axes from them.
struct AxisNode {
  std::string name;
  bool is_reduce = false;
  ForKind kind = ForKind::kSerial;
  // For root axes: the IterVar variable used in the compute body.
  Var root_var;
};
using Axis = std::shared_ptr<AxisNode>;

// parent = outer * factor + inner
struct SplitRelation {
  Axis parent, outer, inner;
  int64_t factor;
};
// fused = outer * extent(inner) + inner
struct FuseRelation {
  Axis outer, inner, fused;
};

enum class AttachKind { kRoot, kInline, kAt };

class Schedule;

class Stage {
 public:
  const Tensor& tensor() const { return tensor_; }
  // The value computed at the root axes; differs from tensor()->body after
  // CacheWrite, when this stage only copies from the cache.
  const Expr& body() const { return body_; }

  // Root data-parallel axis i / reduction axis i.
  Axis axis(int i);
  Axis reduce_axis(int i);
  const std::vector<Axis>& root_axes() const { return root_axes_; }
  const std::vector<Axis>& reduce_axes() const { return reduce_axes_; }
  const std::vector<Axis>& leaf_axes() const { return leaf_axes_; }
  const std::vector<SplitRelation>& splits() const { return splits_; }
  const std::vector<FuseRelation>& fuses() const { return fuses_; }

  // Returns {outer, inner}; inner has extent `factor`.
  std::pair<Axis, Axis> Split(const Axis& axis, int64_t factor);
  // Returns {outer, inner}; outer has extent `nparts`.
  std::pair<Axis, Axis> SplitByParts(const Axis& axis, int64_t nparts);
  // Splits x and y and orders the results x.outer, y.outer, x.inner, y.inner.
  std::vector<Axis> Tile(const Axis& x, const Axis& y, int64_t x_factor,
                         int64_t y_factor);
  // Fuses two adjacent leaf axes (outer directly before inner).
  Axis Fuse(const Axis& outer, const Axis& inner);
  // Puts the given leaf axes in this order, in the positions they occupy.
  void Reorder(const std::vector<Axis>& order);
  void Vectorize(const Axis& axis);
  void Unroll(const Axis& axis);
  void Parallel(const Axis& axis);

  // At the start of every iteration of loop `axis`, prefetches `span`
  // elements of `tensor` from `distance` elements past the first element
  // this stage's body reads of it in that iteration (the loops inside
  // `axis` at their first iteration). A kernel that reuses a block of
  // weights for a while and then moves on reads each new block in a burst
  // the hardware prefetcher cannot hide; prefetching the next block while
  // the current one is in use streams it from memory behind the compute.
  struct PrefetchHint {
    Tensor tensor;
    Axis axis;
    int64_t distance;
    int64_t span;
  };
  void Prefetch(const Tensor& tensor, const Axis& axis, int64_t distance, int64_t span);
  const std::vector<PrefetchHint>& prefetch_hints() const { return prefetch_hints_; }

  // Computes this stage inside `parent`'s loop `axis`, only the region that
  // one iteration of that loop needs.
  void ComputeAt(Stage& parent, const Axis& axis);
  // Substitutes this stage's body into its consumers; no loop nest of its own.
  void ComputeInline();
  void ComputeRoot();

  AttachKind attach_kind() const { return attach_kind_; }
  Stage* attach_stage() const { return attach_stage_; }
  const Axis& attach_axis() const { return attach_axis_; }

  // The root extent of a root axis (the tensor's full shape).
  int64_t RootExtent(const Axis& axis) const;

 private:
  friend class Schedule;
  Stage(Schedule* schedule, Tensor tensor, Expr body);

  bool IsLeaf(const Axis& axis, const char* primitive);
  void Fail(std::string message);
  void Annotate(const Axis& axis, ForKind kind, const char* primitive);

  Schedule* schedule_;
  Tensor tensor_;
  Expr body_;
  std::vector<Axis> root_axes_;
  std::vector<Axis> reduce_axes_;
  std::vector<int64_t> root_extents_;    // per root axis
  std::vector<int64_t> reduce_extents_;  // per reduce axis
  std::vector<Axis> leaf_axes_;
  std::vector<SplitRelation> splits_;
  std::vector<FuseRelation> fuses_;
  std::vector<PrefetchHint> prefetch_hints_;
  AttachKind attach_kind_ = AttachKind::kRoot;
  Stage* attach_stage_ = nullptr;
  Axis attach_axis_;
};

class Schedule {
 public:
  explicit Schedule(std::vector<Tensor> outputs);
  Schedule(const Schedule&) = delete;
  Schedule& operator=(const Schedule&) = delete;

  // The stage of a compute tensor of this schedule. An unknown tensor records
  // an error and returns a scratch stage, so call chains stay valid.
  Stage& operator[](const Tensor& tensor);

  // Moves `tensor`'s computation into a new stage whose result lives in a
  // small local buffer wherever it is computed (compute_at it inside the
  // output loops to keep accumulators in registers); `tensor`'s own stage
  // becomes a copy out of the cache. Returns the cache tensor.
  Tensor CacheWrite(const Tensor& tensor);

  const std::vector<Tensor>& outputs() const { return outputs_; }
  // Stages in producer-before-consumer order.
  std::vector<Stage*> stages() const;
  absl::Status status() const { return status_; }
  void Fail(std::string message);

 private:
  std::vector<Tensor> outputs_;
  std::vector<std::unique_ptr<Stage>> stages_;
  std::unique_ptr<Stage> scratch_;
  absl::Status status_;
};

}  // namespace kiln::ir

#endif  // KILN_IR_SCHEDULE_H_

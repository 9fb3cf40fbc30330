#include "ir/lower/schedule_to_loop_nest.h"

#include <algorithm>
#include <limits>
#include <functional>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "ir/functor.h"
#include "ir/printer.h"
#include "ir/simplify.h"

namespace kiln::ir {
namespace {

// Local buffers up to this size live on the stack (and small ones end up in
// registers); larger ones come from the runtime's workspace allocator.
constexpr int64_t kMaxStackBytes = 64 * 1024;

// Where a tensor's values live while its consumers read them: buffer element
// (i_0 - min_0, ..., i_n - min_n) in row-major order over `extents`.
struct Realization {
  Buffer buffer;
  std::vector<Expr> min;
  std::vector<int64_t> extents;
};

Expr FlatIndex(const Realization& r, const std::vector<Expr>& indices) {
  Expr flat = Expr(0);
  for (size_t d = 0; d < indices.size(); ++d) {
    flat = flat * r.extents[d] + (indices[d] - r.min[d]);
  }
  return flat;
}

// The first load of `buffer` in `s`, or null.
const LoadNode* FirstLoadOf(const Stmt& s, const Buffer& buffer) {
  class Finder : public StmtVisitor {
   public:
    explicit Finder(const Buffer& b) : buffer_(b) {}
    const LoadNode* found = nullptr;

   protected:
    void VisitLoad(const LoadNode* op) override {
      if (found == nullptr && op->buffer == buffer_) found = op;
      StmtVisitor::VisitLoad(op);
    }

   private:
    const Buffer& buffer_;
  };
  Finder f(buffer);
  f.Visit(s);
  return f.found;
}

// Replaces reads of inlined tensors with their bodies.
class Inliner : public ExprMutator {
 public:
  explicit Inliner(const absl::flat_hash_map<const TensorNode*, const Stage*>& inlined)
      : inlined_(inlined) {}

 protected:
  Expr MutateTensorRead(const TensorReadNode* op, const Expr& self) override {
    Expr e = ExprMutator::MutateTensorRead(op, self);
    const auto* read = e.as<TensorReadNode>();
    auto it = inlined_.find(read->tensor.get());
    if (it == inlined_.end()) return e;
    const Stage* stage = it->second;
    VarMap vmap;
    for (size_t d = 0; d < stage->root_axes().size(); ++d) {
      vmap[stage->root_axes()[d]->root_var.get()] = read->indices[d];
    }
    return Mutate(Substitute(stage->body(), vmap));
  }

 private:
  const absl::flat_hash_map<const TensorNode*, const Stage*>& inlined_;
};

// Replaces tensor reads with loads from their realizations.
class ReadsToLoads : public ExprMutator {
 public:
  explicit ReadsToLoads(const absl::flat_hash_map<const TensorNode*, Realization>& realized)
      : realized_(realized) {}
  absl::Status status() const { return status_; }

 protected:
  Expr MutateTensorRead(const TensorReadNode* op, const Expr& self) override {
    Expr e = ExprMutator::MutateTensorRead(op, self);
    const auto* read = e.as<TensorReadNode>();
    auto it = realized_.find(read->tensor.get());
    if (it == realized_.end()) {
      if (status_.ok()) {
        status_ = absl::InvalidArgumentError(absl::StrCat(
            "tensor ", read->tensor->name,
            " is read but is neither a function argument nor computed here (pass it in "
            "the argument list)"));
      }
      return MakeConst(read->dtype, 0);
    }
    return Load(it->second.buffer, FlatIndex(it->second, read->indices));
  }

 private:
  const absl::flat_hash_map<const TensorNode*, Realization>& realized_;
  absl::Status status_;
};

// All reads of `tensor` in an expression.
std::vector<std::vector<Expr>> ReadsOf(const Expr& e, const TensorNode* tensor) {
  class Finder : public ExprVisitor {
   public:
    explicit Finder(const TensorNode* t) : t_(t) {}
    std::vector<std::vector<Expr>> reads;

   protected:
    void VisitTensorRead(const TensorReadNode* op) override {
      if (op->tensor.get() == t_) reads.push_back(op->indices);
      ExprVisitor::VisitTensorRead(op);
    }

   private:
    const TensorNode* t_;
  };
  Finder f(tensor);
  f.Visit(e);
  return f.reads;
}

// Splits an index into a part independent of `inner` variables and the
// interval the inner part spans: index = outer + [lo, hi].
struct Span {
  Expr outer;
  int64_t lo = 0, hi = 0;
};

std::optional<Span> SpanOf(const Expr& index, const VarRanges& inner) {
  // Collect linear terms.
  std::vector<std::pair<Expr, int64_t>> terms;
  int64_t constant = 0;
  std::function<bool(const Expr&, int64_t)> add = [&](const Expr& e, int64_t scale) {
    if (const int64_t* c = AsConstInt(e)) {
      constant += *c * scale;
      return true;
    }
    if (const auto* b = e.as<BinaryNode>()) {
      if (b->op == BinaryOp::kAdd || b->op == BinaryOp::kSub) {
        return add(b->a, scale) && add(b->b, b->op == BinaryOp::kAdd ? scale : -scale);
      }
      if (b->op == BinaryOp::kMul) {
        if (const int64_t* c = AsConstInt(b->b)) return add(b->a, scale * *c);
        if (const int64_t* c = AsConstInt(b->a)) return add(b->b, scale * *c);
      }
    }
    terms.emplace_back(e, scale);
    return true;
  };
  add(Simplify(index, inner), 1);
  Span span;
  Expr outer = Expr(constant);
  for (const auto& [atom, coef] : terms) {
    bool uses_inner = false;
    for (const auto& [var, range] : inner) uses_inner |= UsesVar(atom, var);
    if (!uses_inner) {
      outer = outer + atom * coef;
      continue;
    }
    // The atom must depend on inner variables only.
    class OnlyInner : public ExprVisitor {
     public:
      explicit OnlyInner(const VarRanges& r) : r_(r) {}
      bool ok = true;

     protected:
      void VisitVar(const VarNode* v) override { ok &= r_.contains(v); }

     private:
      const VarRanges& r_;
    };
    OnlyInner check(inner);
    check.Visit(atom);
    if (!check.ok) return std::nullopt;
    Interval b = BoundOf(atom, inner);
    if (!b.min || !b.max) return std::nullopt;
    const int64_t x = *b.min * coef, y = *b.max * coef;
    span.lo += std::min(x, y);
    span.hi += std::max(x, y);
  }
  span.outer = Simplify(outer);
  return span;
}

class NestBuilder {
 public:
  NestBuilder(const Schedule& schedule, const std::vector<Tensor>& args)
      : schedule_(schedule), args_(args) {}

  absl::StatusOr<Stmt> Build(std::vector<Buffer>* buffers) {
    for (const Tensor& t : args_) {
      if (!t) return absl::InvalidArgumentError("null tensor in the argument list");
      std::vector<Expr> shape, min;
      for (int64_t d : t->shape) {
        shape.push_back(Expr(d));
        min.push_back(Expr(0));
      }
      Buffer b = MakeBuffer(t->name, t->dtype, shape, MemoryScope::kGlobal);
      if (realized_.contains(t.get())) {
        return absl::InvalidArgumentError(
            absl::StrCat("tensor ", t->name, " appears twice in the argument list"));
      }
      realized_[t.get()] = {b, min, t->shape};
      buffers->push_back(b);
    }
    for (const Tensor& out : schedule_.outputs()) {
      if (!realized_.contains(out.get())) {
        return absl::InvalidArgumentError(
            absl::StrCat("output ", out->name, " is missing from the argument list"));
      }
    }
    for (Stage* stage : schedule_.stages()) {
      if (stage->attach_kind() == AttachKind::kInline) inlined_[stage->tensor().get()] = stage;
      if (stage->attach_kind() == AttachKind::kAt) {
        attached_[stage->attach_axis().get()].push_back(stage);
      }
    }
    for (Stage* stage : schedule_.stages()) {
      Inliner inliner(inlined_);
      bodies_[stage] = inliner.Mutate(stage->body());
    }
    for (const Tensor& out : schedule_.outputs()) {
      if (inlined_.contains(out.get())) {
        return absl::InvalidArgumentError(
            absl::StrCat("output ", out->name, " cannot be computed inline"));
      }
    }

    std::vector<Stmt> top;
    std::vector<Buffer> heap;
    for (Stage* stage : schedule_.stages()) {
      if (stage->attach_kind() != AttachKind::kRoot) continue;
      const Tensor& t = stage->tensor();
      if (!realized_.contains(t.get())) {
        std::vector<Expr> shape, min;
        for (int64_t d : t->shape) {
          shape.push_back(Expr(d));
          min.push_back(Expr(0));
        }
        Buffer b = MakeBuffer(t->name, t->dtype, shape, MemoryScope::kHeap);
        realized_[t.get()] = {b, min, t->shape};
        heap.push_back(b);
      }
      auto nest = BuildStage(stage);
      if (!nest.ok()) return nest.status();
      top.push_back(*nest);
    }
    for (Stage* stage : schedule_.stages()) {
      if (stage->attach_kind() == AttachKind::kAt && !built_.contains(stage)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "stage ", stage->tensor()->name, " is computed at loop ",
            stage->attach_axis()->name, " of stage ", stage->attach_stage()->tensor()->name,
            ", which is not part of the final loop nest (computed inline, or itself "
            "attached inside this stage)"));
      }
    }
    Stmt body = Seq(std::move(top));
    for (auto it = heap.rbegin(); it != heap.rend(); ++it) body = Allocate(*it, body);
    return body;
  }

 private:
  struct Loop {
    Axis axis;
    Var var;
    int64_t extent;
  };

  // Loop variables, extents and root-axis values for a stage whose data axes
  // cover `region_extents`.
  struct StageLoops {
    std::vector<Loop> leaves;
    absl::flat_hash_map<const AxisNode*, Expr> value;  // every axis
    absl::flat_hash_map<const AxisNode*, int64_t> extent;
    std::vector<Expr> guards;  // conditions non-dividing splits add
  };

  absl::StatusOr<StageLoops> MakeLoops(const Stage* stage,
                                       const std::vector<int64_t>& region_extents) {
    StageLoops loops;
    for (size_t d = 0; d < stage->root_axes().size(); ++d) {
      loops.extent[stage->root_axes()[d].get()] = region_extents[d];
    }
    for (const Axis& r : stage->reduce_axes()) {
      loops.extent[r.get()] = stage->RootExtent(r);
    }
    // Relations were recorded in creation order: parents before children.
    struct Rel {
      const SplitRelation* split;
      const FuseRelation* fuse;
    };
    std::vector<Rel> rels;
    // Interleave splits and fuses in the order their outputs appear: a
    // derived axis is created by exactly one relation, so resolve by
    // repeatedly applying any relation whose inputs are known.
    std::vector<bool> done_split(stage->splits().size()), done_fuse(stage->fuses().size());
    bool progress = true;
    while (progress) {
      progress = false;
      for (size_t k = 0; k < stage->splits().size(); ++k) {
        const SplitRelation& s = stage->splits()[k];
        if (done_split[k] || !loops.extent.contains(s.parent.get())) continue;
        const int64_t parent = loops.extent[s.parent.get()];
        const int64_t inner = std::min(s.factor, parent);
        loops.extent[s.inner.get()] = inner;
        loops.extent[s.outer.get()] = (parent + inner - 1) / inner;
        rels.push_back({&s, nullptr});
        done_split[k] = progress = true;
      }
      for (size_t k = 0; k < stage->fuses().size(); ++k) {
        const FuseRelation& f = stage->fuses()[k];
        if (done_fuse[k] || !loops.extent.contains(f.outer.get()) ||
            !loops.extent.contains(f.inner.get())) {
          continue;
        }
        loops.extent[f.fused.get()] =
            loops.extent[f.outer.get()] * loops.extent[f.inner.get()];
        rels.push_back({nullptr, &f});
        done_fuse[k] = progress = true;
      }
    }
    for (const Axis& leaf : stage->leaf_axes()) {
      if (!loops.extent.contains(leaf.get())) {
        return absl::InternalError(absl::StrCat("no extent for loop ", leaf->name));
      }
      Var v(leaf->name);
      loops.leaves.push_back({leaf, v, loops.extent[leaf.get()]});
      loops.value[leaf.get()] = v;
    }
    for (auto it = rels.rbegin(); it != rels.rend(); ++it) {
      if (it->split) {
        const SplitRelation& s = *it->split;
        const int64_t inner = loops.extent[s.inner.get()];
        Expr parent = loops.value[s.outer.get()] * inner + loops.value[s.inner.get()];
        loops.value[s.parent.get()] = parent;
        const int64_t parent_extent = loops.extent[s.parent.get()];
        if (parent_extent % inner != 0) loops.guards.push_back(parent < parent_extent);
      } else {
        const FuseRelation& f = *it->fuse;
        const int64_t inner = loops.extent[f.inner.get()];
        Expr fused = loops.value[f.fused.get()];
        loops.value[f.outer.get()] = FloorDiv(fused, inner);
        loops.value[f.inner.get()] = FloorMod(fused, inner);
      }
    }
    return loops;
  }

  // Per leaf loop index, the prefetches the stage's hints put at the start of
  // its body: each from the first load of the tensor in the stage's update,
  // with the loops inside at zero, one per cache line of the span.
  absl::StatusOr<absl::flat_hash_map<size_t, std::vector<Stmt>>> PrefetchStatements(
      const Stage* stage, const StageLoops& loops, const Stmt& update) {
    absl::flat_hash_map<size_t, std::vector<Stmt>> result;
    for (const Stage::PrefetchHint& hint : stage->prefetch_hints()) {
      size_t level = 0;
      while (level < loops.leaves.size() && loops.leaves[level].axis != hint.axis) ++level;
      auto where = [&] {
        return absl::StrCat("stage ", stage->tensor()->name, " prefetches ", hint.tensor->name,
                            " at loop ", hint.axis->name);
      };
      if (level == loops.leaves.size()) {
        return absl::InvalidArgumentError(absl::StrCat(where(), ", which is not its loop"));
      }
      if (hint.axis->kind == ForKind::kVectorized) {
        return absl::InvalidArgumentError(
            absl::StrCat(where(), ", which is vectorized; prefetch outside the vector loop"));
      }
      auto real = realized_.find(hint.tensor.get());
      const LoadNode* load =
          real == realized_.end() ? nullptr : FirstLoadOf(update, real->second.buffer);
      if (load == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(where(), " but does not read it"));
      }
      VarMap first_iteration;
      for (size_t k = level + 1; k < loops.leaves.size(); ++k) {
        first_iteration[loops.leaves[k].var.get()] = Expr(0);
      }
      const Expr start = Substitute(load->index, first_iteration) + hint.distance;
      const int64_t per_line = std::max<int64_t>(1, 64 / load->buffer->dtype.bytes());
      for (int64_t offset = 0; offset < hint.span; offset += per_line) {
        result[level].push_back(
            Evaluate(Call(Intrinsic::kPrefetch, {Load(load->buffer, start + offset)})));
      }
    }
    return result;
  }

  absl::StatusOr<Stmt> BuildStage(const Stage* stage) {
    built_.insert(stage);
    // A copy: inferring producer regions below inserts into realized_.
    const Realization real = realized_.at(stage->tensor().get());
    auto loops_or = MakeLoops(stage, real.extents);
    if (!loops_or.ok()) return loops_or.status();
    StageLoops loops = *std::move(loops_or);

    // Root variables -> global indices; the store index is local.
    VarMap vmap;
    std::vector<Expr> global, local;
    for (size_t d = 0; d < stage->root_axes().size(); ++d) {
      const Axis& axis = stage->root_axes()[d];
      Expr value = loops.value[axis.get()];
      local.push_back(value);
      Expr g = real.min[d] + value;
      global.push_back(g);
      vmap[axis->root_var.get()] = g;
    }
    for (const Axis& r : stage->reduce_axes()) {
      vmap[r->root_var.get()] = loops.value[r.get()];
    }
    Expr body = Substitute(bodies_.at(stage), vmap);

    // Regions of producers attached to this stage's loops, from the reads in
    // this stage's body.
    for (size_t level = 0; level < loops.leaves.size(); ++level) {
      auto it = attached_.find(loops.leaves[level].axis.get());
      if (it == attached_.end()) continue;
      VarRanges deeper;
      for (size_t k = level + 1; k < loops.leaves.size(); ++k) {
        deeper[loops.leaves[k].var.get()] = {0, loops.leaves[k].extent - 1};
      }
      for (Stage* producer : it->second) {
        if (auto st = InferRegion(producer, body, deeper); !st.ok()) return st;
      }
    }

    ReadsToLoads to_loads(realized_);
    Stmt innermost;
    Stmt init;
    std::vector<Expr> guards = loops.guards;
    // Out-of-domain iterations of a partial region must not be computed.
    for (size_t d = 0; d < global.size(); ++d) {
      if (real.extents[d] != stage->tensor()->shape[d] || !AsConstInt(real.min[d])) {
        guards.push_back(global[d] < stage->tensor()->shape[d]);
        guards.push_back(global[d] >= 0);
      }
    }
    const Expr store_index = FlatIndex({real.buffer, std::vector<Expr>(local.size(), Expr(0)),
                                        real.extents},
                                       local);
    if (const auto* reduce = body.as<ReduceNode>()) {
      Expr source = to_loads.Mutate(reduce->source);
      Expr acc = Load(real.buffer, store_index);
      Expr combined;
      double identity = 0.0;
      switch (reduce->op) {
        case ReduceOp::kSum:
          combined = acc + source;
          identity = 0.0;
          break;
        case ReduceOp::kMax:
          combined = Max(acc, source);
          identity = reduce->dtype.is_float() ? -3.4028234663852886e38 : -9.2e18;
          break;
        case ReduceOp::kMin:
          combined = Min(acc, source);
          identity = reduce->dtype.is_float() ? 3.4028234663852886e38 : 9.2e18;
          break;
        case ReduceOp::kProd:
          combined = acc * source;
          identity = 1.0;
          break;
      }
      if (reduce->op == ReduceOp::kMax || reduce->op == ReduceOp::kMin) {
        // The type's extreme (ConstantOf saturates integers at their range);
        // float32 keeps its finite maximum.
        const bool wide =
            reduce->dtype.scalar() == ScalarType::kFloat64 || reduce->dtype.is_int();
        const double extreme = wide ? std::numeric_limits<double>::max() : 3.4028234663852886e38;
        identity = reduce->op == ReduceOp::kMax ? -extreme : extreme;
      }
      Expr condition = reduce->condition.defined() ? to_loads.Mutate(reduce->condition) : Expr();
      innermost = Store(real.buffer, combined, store_index);
      if (condition.defined()) innermost = IfThenElse(condition, innermost);
      init = Store(real.buffer, ConstantOf(reduce->dtype, identity), store_index);
    } else {
      innermost = Store(real.buffer, to_loads.Mutate(body), store_index);
    }
    if (!to_loads.status().ok()) return to_loads.status();

    // Guards: the update sees all; init only those free of reduction loops.
    auto guard = [](Stmt s, const std::vector<Expr>& conditions) {
      Expr all;
      for (const Expr& c : conditions) all = all.defined() ? And(all, c) : c;
      return all.defined() ? IfThenElse(all, s) : s;
    };
    absl::flat_hash_set<const VarNode*> reduce_vars;
    for (const Loop& l : loops.leaves) {
      if (l.axis->is_reduce) reduce_vars.insert(l.var.get());
    }
    std::vector<Expr> init_guards;
    for (const Expr& g : guards) {
      bool uses_reduce = false;
      for (const VarNode* v : reduce_vars) uses_reduce |= UsesVar(g, v);
      if (!uses_reduce) init_guards.push_back(g);
    }
    innermost = guard(innermost, guards);
    if (init.defined()) init = guard(init, init_guards);

    auto prefetches = PrefetchStatements(stage, loops, innermost);
    if (!prefetches.ok()) return prefetches.status();
    auto with_prefetches = [&](size_t k, Stmt inner) {
      auto it = prefetches->find(k);
      if (it == prefetches->end()) return inner;
      std::vector<Stmt> seq = it->second;
      seq.push_back(inner);
      return Seq(seq);
    };

    // Wrap loops from the inside out; attach producers after opening a loop.
    size_t first_reduce = loops.leaves.size();
    for (size_t k = 0; k < loops.leaves.size(); ++k) {
      if (loops.leaves[k].axis->is_reduce) {
        first_reduce = k;
        break;
      }
    }
    std::function<absl::StatusOr<Stmt>(size_t, Stmt, bool)> wrap =
        [&](size_t from, Stmt inner, bool data_only) -> absl::StatusOr<Stmt> {
      for (size_t k = loops.leaves.size(); k-- > from;) {
        const Loop& l = loops.leaves[k];
        if (data_only && l.axis->is_reduce) continue;
        if (!data_only) {
          auto attached = AttachedAt(l.axis.get(), inner);
          if (!attached.ok()) return attached.status();
          inner = with_prefetches(k, *attached);
        }
        inner = For(l.var, 0, l.extent, l.axis->kind, inner);
      }
      return inner;
    };
    Stmt nest;
    if (init.defined()) {
      auto init_nest = wrap(first_reduce, init, /*data_only=*/true);
      if (!init_nest.ok()) return init_nest.status();
      auto update_nest = wrap(first_reduce, innermost, /*data_only=*/false);
      if (!update_nest.ok()) return update_nest.status();
      nest = Seq({*init_nest, *update_nest});
      for (size_t k = first_reduce; k-- > 0;) {
        const Loop& l = loops.leaves[k];
        auto attached = AttachedAt(l.axis.get(), nest);
        if (!attached.ok()) return attached.status();
        nest = For(l.var, 0, l.extent, l.axis->kind, with_prefetches(k, *attached));
      }
    } else {
      auto all = wrap(0, innermost, /*data_only=*/false);
      if (!all.ok()) return all.status();
      nest = *all;
    }
    return nest;
  }

  // `inner` preceded by the nests of producers attached at `axis`.
  absl::StatusOr<Stmt> AttachedAt(const AxisNode* axis, Stmt inner) {
    auto it = attached_.find(axis);
    if (it == attached_.end()) return inner;
    std::vector<Stmt> parts;
    std::vector<Buffer> buffers;
    for (Stage* producer : it->second) {
      auto nest = BuildStage(producer);
      if (!nest.ok()) return nest.status();
      parts.push_back(*nest);
      buffers.push_back(realized_.at(producer->tensor().get()).buffer);
    }
    parts.push_back(inner);
    Stmt body = Seq(std::move(parts));
    for (auto b = buffers.rbegin(); b != buffers.rend(); ++b) body = Allocate(*b, body);
    return body;
  }

  // The region of `producer` that one iteration of its attach loop needs:
  // the union of the consumer's reads as the deeper loops vary.
  absl::Status InferRegion(Stage* producer, const Expr& consumer_body,
                           const VarRanges& deeper) {
    const Tensor& t = producer->tensor();
    if (realized_.contains(t.get())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "stage ", t->name, " is computed at a loop but is also a function argument or "
          "read by more than one stage"));
    }
    const auto reads = ReadsOf(consumer_body, t.get());
    if (reads.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "stage ", t->name, " is computed at loop ", producer->attach_axis()->name,
          " of stage ", producer->attach_stage()->tensor()->name, ", which does not read it"));
    }
    Realization real;
    for (size_t d = 0; d < t->shape.size(); ++d) {
      std::optional<Span> region;
      for (const auto& indices : reads) {
        auto span = SpanOf(indices[d], deeper);
        if (!span) {
          region.reset();
          break;
        }
        if (!region) {
          region = span;
          continue;
        }
        // Another read: it must differ from the first by a constant.
        Expr diff = Simplify(span->outer - region->outer);
        const int64_t* c = AsConstInt(diff);
        if (!c) {
          region.reset();
          break;
        }
        region->lo = std::min(region->lo, span->lo + *c);
        region->hi = std::max(region->hi, span->hi + *c);
      }
      if (region) {
        real.min.push_back(Simplify(region->outer + region->lo));
        real.extents.push_back(region->hi - region->lo + 1);
      } else {
        // Not analyzable: realize the whole dimension.
        real.min.push_back(Expr(0));
        real.extents.push_back(t->shape[d]);
      }
    }
    std::vector<Expr> shape;
    int64_t elements = 1;
    for (int64_t e : real.extents) {
      shape.push_back(Expr(e));
      elements *= e;
    }
    const MemoryScope scope = elements * t->dtype.bytes() <= kMaxStackBytes
                                  ? MemoryScope::kStack
                                  : MemoryScope::kHeap;
    real.buffer = MakeBuffer(t->name, t->dtype, shape, scope);
    realized_[t.get()] = std::move(real);
    return absl::OkStatus();
  }

  const Schedule& schedule_;
  const std::vector<Tensor>& args_;
  absl::flat_hash_map<const TensorNode*, Realization> realized_;
  absl::flat_hash_map<const TensorNode*, const Stage*> inlined_;
  absl::flat_hash_map<const AxisNode*, std::vector<Stage*>> attached_;
  absl::flat_hash_map<const Stage*, Expr> bodies_;
  absl::flat_hash_set<const Stage*> built_;
};

}  // namespace

absl::StatusOr<Stmt> ScheduleToLoopNest(const Schedule& schedule,
                                        const std::vector<Tensor>& args,
                                        std::vector<Buffer>* buffers) {
  if (!schedule.status().ok()) return schedule.status();
  NestBuilder builder(schedule, args);
  return builder.Build(buffers);
}

}  // namespace kiln::ir

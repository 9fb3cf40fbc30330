#include "ir/lower/vectorize.h"

#include <utility>
#include <vector>

#include "ir/functor.h"

namespace kiln::ir {
namespace {

// Widens an expression to `lanes` (scalars broadcast).
Expr Widen(const Expr& e, int lanes) {
  return e.dtype().lanes() == lanes ? e : Broadcast(e, lanes);
}

// Rewrites one vectorized loop body; sets failed() when it cannot.
class Vectorizer : public StmtMutator {
 public:
  Vectorizer(const Var& var, Expr min, int lanes)
      : var_(var), ramp_(Ramp(std::move(min), 1, lanes)), lanes_(lanes) {}
  bool failed() const { return failed_; }

 protected:
  Expr MutateVar(const VarNode* op, const Expr& self) override {
    if (op == var_.get()) return ramp_;
    auto it = widened_lets_.find(op);
    return it == widened_lets_.end() ? self : it->second;
  }

  Expr MutateBinary(const BinaryNode* op, const Expr& self) override {
    Expr a = Mutate(op->a);
    Expr b = Mutate(op->b);
    if (a.same_as(op->a) && b.same_as(op->b)) return self;
    // Keep affine index arithmetic in ramp form so that codegen sees
    // contiguous accesses: ramp(b, s) + x == ramp(b + x, s), and so on.
    const auto* ra = a.as<RampNode>();
    const auto* rb = b.as<RampNode>();
    const auto* ba = a.as<BroadcastNode>();
    const auto* bb = b.as<BroadcastNode>();
    const bool sa = a.dtype().is_scalar(), sb = b.dtype().is_scalar();
    switch (op->op) {
      case BinaryOp::kAdd:
        if (ra && (sb || bb)) return Ramp(ra->base + (sb ? b : bb->value), ra->stride, ra->lanes);
        if (rb && (sa || ba)) return Ramp((sa ? a : ba->value) + rb->base, rb->stride, rb->lanes);
        if (ra && rb) return Ramp(ra->base + rb->base, ra->stride + rb->stride, ra->lanes);
        break;
      case BinaryOp::kSub:
        if (ra && (sb || bb)) return Ramp(ra->base - (sb ? b : bb->value), ra->stride, ra->lanes);
        break;
      case BinaryOp::kMul:
        if (ra && (sb || bb)) {
          Expr c = sb ? b : bb->value;
          return Ramp(ra->base * c, ra->stride * c, ra->lanes);
        }
        if (rb && (sa || ba)) {
          Expr c = sa ? a : ba->value;
          return Ramp(c * rb->base, c * rb->stride, rb->lanes);
        }
        break;
      default:
        break;
    }
    return Binary(op->op, a, b);
  }

  Expr MutateLoad(const LoadNode* op, const Expr& self) override {
    Expr index = Mutate(op->index);
    Expr predicate = op->predicate.defined() ? Mutate(op->predicate) : Expr();
    if (index.dtype().is_scalar() && !predicate.defined() && !predicate_.defined()) {
      return index.same_as(op->index) ? self : Load(op->buffer, index);
    }
    // Under a lane predicate even a uniform load is masked: the guard may be
    // what keeps it inside the buffer.
    index = Widen(index, lanes_);
    Expr p = CombinePredicates(predicate.defined() ? Widen(predicate, lanes_) : Expr());
    return Load(op->buffer, index, p);
  }

  Expr MutateSelect(const SelectNode* op, const Expr& self) override {
    Expr c = Mutate(op->condition);
    Expr t = Mutate(op->true_value);
    Expr f = Mutate(op->false_value);
    if (c.same_as(op->condition) && t.same_as(op->true_value) && f.same_as(op->false_value)) {
      return self;
    }
    const int lanes = std::max({c.dtype().lanes(), t.dtype().lanes(), f.dtype().lanes()});
    if (c.dtype().is_scalar()) return Select(c, Widen(t, lanes), Widen(f, lanes));
    return Select(c, Widen(t, lanes), Widen(f, lanes));
  }

  Expr MutateCall(const CallNode* op, const Expr& self) override {
    std::vector<Expr> args;
    int lanes = 1;
    bool changed = false;
    for (const Expr& a : op->args) {
      args.push_back(Mutate(a));
      changed |= !args.back().same_as(a);
      lanes = std::max(lanes, args.back().dtype().lanes());
    }
    if (!changed) return self;
    for (Expr& a : args) a = Widen(a, lanes);
    return Call(op->op, std::move(args));
  }

  Expr MutateLet(const LetNode* op, const Expr& self) override {
    Expr value = Mutate(op->value);
    if (value.dtype().is_vector()) {
      Var widened(op->var.name(), value.dtype());
      widened_lets_[op->var.get()] = widened;
      Expr body = Mutate(op->body);
      return Let(widened, value, body);
    }
    return ExprMutator::MutateLet(op, self);
  }

  Expr MutateReduce(const ReduceNode*, const Expr& self) override {
    failed_ = true;
    return self;
  }

  Stmt MutateStore(const StoreNode* op, const Stmt& self) override {
    Expr value = Mutate(op->value);
    Expr index = Mutate(op->index);
    Expr predicate = op->predicate.defined() ? Mutate(op->predicate) : Expr();
    if (index.dtype().is_scalar()) {
      // Every lane would write the same element: not a vector store.
      if (value.dtype().is_vector() || predicate_.defined()) failed_ = true;
      if (value.same_as(op->value) && index.same_as(op->index)) return self;
      return Store(op->buffer, value, index, predicate);
    }
    Expr p = CombinePredicates(predicate.defined() ? Widen(predicate, lanes_) : Expr());
    return Store(op->buffer, Widen(value, index.dtype().lanes()), index, p);
  }

  Stmt MutateIfThenElse(const IfThenElseNode* op, const Stmt& self) override {
    Expr c = Mutate(op->condition);
    if (c.dtype().is_scalar()) {
      Stmt t = Mutate(op->then_case);
      Stmt e = op->else_case.defined() ? Mutate(op->else_case) : Stmt();
      if (c.same_as(op->condition) && t.same_as(op->then_case) && e.same_as(op->else_case)) {
        return self;
      }
      return IfThenElse(c, t, e);
    }
    // A lane-dependent condition becomes a predicate on every access below.
    Expr saved = predicate_;
    predicate_ = saved.defined() ? And(saved, c) : c;
    Stmt t = Mutate(op->then_case);
    Stmt e;
    if (op->else_case.defined()) {
      predicate_ = saved.defined() ? And(saved, Not(c)) : Not(c);
      e = Mutate(op->else_case);
    }
    predicate_ = saved;
    return Seq({t, e});
  }

  Stmt MutateFor(const ForNode* op, const Stmt& self) override {
    Expr min = Mutate(op->min);
    Expr extent = Mutate(op->extent);
    if (min.dtype().is_vector() || extent.dtype().is_vector()) {
      failed_ = true;
      return self;
    }
    return StmtMutator::MutateFor(op, self);
  }

  Stmt MutateAllocate(const AllocateNode*, const Stmt& self) override {
    failed_ = true;
    return self;
  }

  Stmt MutateLetStmt(const LetStmtNode* op, const Stmt& self) override {
    Expr value = Mutate(op->value);
    if (value.dtype().is_vector()) {
      Var widened(op->var.name(), value.dtype());
      widened_lets_[op->var.get()] = widened;
      return LetStmt(widened, value, Mutate(op->body));
    }
    return StmtMutator::MutateLetStmt(op, self);
  }

 private:
  Expr CombinePredicates(Expr own) const {
    Expr p = predicate_.defined() ? Widen(predicate_, lanes_) : Expr();
    if (own.defined()) p = p.defined() ? And(p, own) : own;
    return p;
  }

  Var var_;
  Expr ramp_;
  int lanes_;
  Expr predicate_;
  bool failed_ = false;
  absl::flat_hash_map<const VarNode*, Expr> widened_lets_;
};

class LoopVectorizer : public StmtMutator {
 protected:
  Stmt MutateFor(const ForNode* op, const Stmt& self) override {
    Stmt inner = StmtMutator::MutateFor(op, self);
    const auto* loop = inner.as<ForNode>();
    if (!loop || loop->for_kind != ForKind::kVectorized) return inner;
    const int64_t* extent = AsConstInt(loop->extent);
    if (!extent || *extent < 2 || *extent > 256) {
      return For(loop->var, loop->min, loop->extent, ForKind::kSerial, loop->body);
    }
    Vectorizer vectorizer(loop->var, loop->min, static_cast<int>(*extent));
    Stmt body = vectorizer.Mutate(loop->body);
    if (vectorizer.failed()) {
      return For(loop->var, loop->min, loop->extent, ForKind::kSerial, loop->body);
    }
    return body;
  }
};

}  // namespace

Stmt VectorizeLoops(const Stmt& s) {
  LoopVectorizer v;
  return v.Mutate(s);
}

}  // namespace kiln::ir

#include "ir/functor.h"

#include <utility>
#include <vector>

#include "glog/logging.h"

namespace kiln::ir {

// ---- ExprVisitor ----

void ExprVisitor::Visit(const Expr& e) {
  if (!e.defined()) return;
  switch (e.kind()) {
    case ExprKind::kIntImm: return VisitIntImm(e.as<IntImmNode>());
    case ExprKind::kFloatImm: return VisitFloatImm(e.as<FloatImmNode>());
    case ExprKind::kVar: return VisitVar(e.as<VarNode>());
    case ExprKind::kCast: return VisitCast(e.as<CastNode>());
    case ExprKind::kBinary: return VisitBinary(e.as<BinaryNode>());
    case ExprKind::kNot: return VisitNot(e.as<NotNode>());
    case ExprKind::kSelect: return VisitSelect(e.as<SelectNode>());
    case ExprKind::kRamp: return VisitRamp(e.as<RampNode>());
    case ExprKind::kBroadcast: return VisitBroadcast(e.as<BroadcastNode>());
    case ExprKind::kCall: return VisitCall(e.as<CallNode>());
    case ExprKind::kLet: return VisitLet(e.as<LetNode>());
    case ExprKind::kLoad: return VisitLoad(e.as<LoadNode>());
    case ExprKind::kTensorRead: return VisitTensorRead(e.as<TensorReadNode>());
    case ExprKind::kReduce: return VisitReduce(e.as<ReduceNode>());
  }
}

void ExprVisitor::VisitIntImm(const IntImmNode*) {}
void ExprVisitor::VisitFloatImm(const FloatImmNode*) {}
void ExprVisitor::VisitVar(const VarNode*) {}
void ExprVisitor::VisitCast(const CastNode* op) { Visit(op->value); }
void ExprVisitor::VisitBinary(const BinaryNode* op) {
  Visit(op->a);
  Visit(op->b);
}
void ExprVisitor::VisitNot(const NotNode* op) { Visit(op->a); }
void ExprVisitor::VisitSelect(const SelectNode* op) {
  Visit(op->condition);
  Visit(op->true_value);
  Visit(op->false_value);
}
void ExprVisitor::VisitRamp(const RampNode* op) {
  Visit(op->base);
  Visit(op->stride);
}
void ExprVisitor::VisitBroadcast(const BroadcastNode* op) { Visit(op->value); }
void ExprVisitor::VisitCall(const CallNode* op) {
  for (const Expr& a : op->args) Visit(a);
}
void ExprVisitor::VisitLet(const LetNode* op) {
  Visit(op->value);
  Visit(op->body);
}
void ExprVisitor::VisitLoad(const LoadNode* op) {
  Visit(op->index);
  Visit(op->predicate);
}
void ExprVisitor::VisitTensorRead(const TensorReadNode* op) {
  for (const Expr& i : op->indices) Visit(i);
}
void ExprVisitor::VisitReduce(const ReduceNode* op) {
  for (const IterVar& axis : op->axes) {
    Visit(axis->min);
    Visit(axis->extent);
  }
  Visit(op->source);
  Visit(op->condition);
}

// ---- StmtVisitor ----

void StmtVisitor::Visit(const Stmt& s) {
  if (!s.defined()) return;
  switch (s.kind()) {
    case StmtKind::kFor: return VisitFor(s.as<ForNode>());
    case StmtKind::kStore: return VisitStore(s.as<StoreNode>());
    case StmtKind::kAllocate: return VisitAllocate(s.as<AllocateNode>());
    case StmtKind::kIfThenElse: return VisitIfThenElse(s.as<IfThenElseNode>());
    case StmtKind::kSeq: return VisitSeq(s.as<SeqNode>());
    case StmtKind::kLetStmt: return VisitLetStmt(s.as<LetStmtNode>());
    case StmtKind::kEvaluate: return VisitEvaluate(s.as<EvaluateNode>());
  }
}

void StmtVisitor::VisitFor(const ForNode* op) {
  Visit(op->min);
  Visit(op->extent);
  Visit(op->body);
}
void StmtVisitor::VisitStore(const StoreNode* op) {
  Visit(op->value);
  Visit(op->index);
  Visit(op->predicate);
}
void StmtVisitor::VisitAllocate(const AllocateNode* op) {
  for (const Expr& e : op->buffer->shape) Visit(e);
  Visit(op->body);
}
void StmtVisitor::VisitIfThenElse(const IfThenElseNode* op) {
  Visit(op->condition);
  Visit(op->then_case);
  Visit(op->else_case);
}
void StmtVisitor::VisitSeq(const SeqNode* op) {
  for (const Stmt& s : op->stmts) Visit(s);
}
void StmtVisitor::VisitLetStmt(const LetStmtNode* op) {
  Visit(op->value);
  Visit(op->body);
}
void StmtVisitor::VisitEvaluate(const EvaluateNode* op) { Visit(op->value); }

// ---- ExprMutator ----

Expr ExprMutator::Mutate(const Expr& e) {
  if (!e.defined()) return e;
  switch (e.kind()) {
    case ExprKind::kIntImm: return MutateIntImm(e.as<IntImmNode>(), e);
    case ExprKind::kFloatImm: return MutateFloatImm(e.as<FloatImmNode>(), e);
    case ExprKind::kVar: return MutateVar(e.as<VarNode>(), e);
    case ExprKind::kCast: return MutateCast(e.as<CastNode>(), e);
    case ExprKind::kBinary: return MutateBinary(e.as<BinaryNode>(), e);
    case ExprKind::kNot: return MutateNot(e.as<NotNode>(), e);
    case ExprKind::kSelect: return MutateSelect(e.as<SelectNode>(), e);
    case ExprKind::kRamp: return MutateRamp(e.as<RampNode>(), e);
    case ExprKind::kBroadcast: return MutateBroadcast(e.as<BroadcastNode>(), e);
    case ExprKind::kCall: return MutateCall(e.as<CallNode>(), e);
    case ExprKind::kLet: return MutateLet(e.as<LetNode>(), e);
    case ExprKind::kLoad: return MutateLoad(e.as<LoadNode>(), e);
    case ExprKind::kTensorRead: return MutateTensorRead(e.as<TensorReadNode>(), e);
    case ExprKind::kReduce: return MutateReduce(e.as<ReduceNode>(), e);
  }
  return e;
}

Expr ExprMutator::MutateIntImm(const IntImmNode*, const Expr& self) { return self; }
Expr ExprMutator::MutateFloatImm(const FloatImmNode*, const Expr& self) { return self; }
Expr ExprMutator::MutateVar(const VarNode*, const Expr& self) { return self; }

Expr ExprMutator::MutateCast(const CastNode* op, const Expr& self) {
  Expr v = Mutate(op->value);
  if (v.same_as(op->value)) return self;
  return Cast(op->dtype.with_lanes(v.dtype().lanes()), v);
}

Expr ExprMutator::MutateBinary(const BinaryNode* op, const Expr& self) {
  Expr a = Mutate(op->a);
  Expr b = Mutate(op->b);
  if (a.same_as(op->a) && b.same_as(op->b)) return self;
  return Binary(op->op, a, b);
}

Expr ExprMutator::MutateNot(const NotNode* op, const Expr& self) {
  Expr a = Mutate(op->a);
  if (a.same_as(op->a)) return self;
  return Not(a);
}

Expr ExprMutator::MutateSelect(const SelectNode* op, const Expr& self) {
  Expr c = Mutate(op->condition);
  Expr t = Mutate(op->true_value);
  Expr f = Mutate(op->false_value);
  if (c.same_as(op->condition) && t.same_as(op->true_value) && f.same_as(op->false_value)) {
    return self;
  }
  return Select(c, t, f);
}

Expr ExprMutator::MutateRamp(const RampNode* op, const Expr& self) {
  Expr base = Mutate(op->base);
  Expr stride = Mutate(op->stride);
  if (base.same_as(op->base) && stride.same_as(op->stride)) return self;
  return Ramp(base, stride, op->lanes);
}

Expr ExprMutator::MutateBroadcast(const BroadcastNode* op, const Expr& self) {
  Expr v = Mutate(op->value);
  if (v.same_as(op->value)) return self;
  return Broadcast(v, op->lanes);
}

Expr ExprMutator::MutateCall(const CallNode* op, const Expr& self) {
  std::vector<Expr> args;
  bool changed = false;
  for (const Expr& a : op->args) {
    args.push_back(Mutate(a));
    changed |= !args.back().same_as(a);
  }
  if (!changed) return self;
  return Call(op->op, std::move(args));
}

Expr ExprMutator::MutateLet(const LetNode* op, const Expr& self) {
  Expr v = Mutate(op->value);
  Expr b = Mutate(op->body);
  if (v.same_as(op->value) && b.same_as(op->body)) return self;
  return Let(op->var, v, b);
}

Expr ExprMutator::MutateLoad(const LoadNode* op, const Expr& self) {
  Expr i = Mutate(op->index);
  Expr p = Mutate(op->predicate);
  if (i.same_as(op->index) && p.same_as(op->predicate)) return self;
  return Load(op->buffer, i, p);
}

Expr ExprMutator::MutateTensorRead(const TensorReadNode* op, const Expr& self) {
  std::vector<Expr> indices;
  bool changed = false;
  for (const Expr& i : op->indices) {
    indices.push_back(Mutate(i));
    changed |= !indices.back().same_as(i);
  }
  if (!changed) return self;
  return TensorRead(op->tensor, std::move(indices));
}

Expr ExprMutator::MutateReduce(const ReduceNode* op, const Expr& self) {
  Expr s = Mutate(op->source);
  Expr c = Mutate(op->condition);
  if (s.same_as(op->source) && c.same_as(op->condition)) return self;
  return Reduce(op->op, s, op->axes, c);
}

// ---- StmtMutator ----

Stmt StmtMutator::Mutate(const Stmt& s) {
  if (!s.defined()) return s;
  switch (s.kind()) {
    case StmtKind::kFor: return MutateFor(s.as<ForNode>(), s);
    case StmtKind::kStore: return MutateStore(s.as<StoreNode>(), s);
    case StmtKind::kAllocate: return MutateAllocate(s.as<AllocateNode>(), s);
    case StmtKind::kIfThenElse: return MutateIfThenElse(s.as<IfThenElseNode>(), s);
    case StmtKind::kSeq: return MutateSeq(s.as<SeqNode>(), s);
    case StmtKind::kLetStmt: return MutateLetStmt(s.as<LetStmtNode>(), s);
    case StmtKind::kEvaluate: return MutateEvaluate(s.as<EvaluateNode>(), s);
  }
  return s;
}

Stmt StmtMutator::MutateFor(const ForNode* op, const Stmt& self) {
  Expr min = Mutate(op->min);
  Expr extent = Mutate(op->extent);
  Stmt body = Mutate(op->body);
  if (min.same_as(op->min) && extent.same_as(op->extent) && body.same_as(op->body)) {
    return self;
  }
  return For(op->var, min, extent, op->for_kind, body);
}

Stmt StmtMutator::MutateStore(const StoreNode* op, const Stmt& self) {
  Expr v = Mutate(op->value);
  Expr i = Mutate(op->index);
  Expr p = Mutate(op->predicate);
  if (v.same_as(op->value) && i.same_as(op->index) && p.same_as(op->predicate)) return self;
  return Store(op->buffer, v, i, p);
}

Stmt StmtMutator::MutateAllocate(const AllocateNode* op, const Stmt& self) {
  Stmt body = Mutate(op->body);
  if (body.same_as(op->body)) return self;
  return Allocate(op->buffer, body);
}

Stmt StmtMutator::MutateIfThenElse(const IfThenElseNode* op, const Stmt& self) {
  Expr c = Mutate(op->condition);
  Stmt t = Mutate(op->then_case);
  Stmt e = Mutate(op->else_case);
  if (c.same_as(op->condition) && t.same_as(op->then_case) && e.same_as(op->else_case)) {
    return self;
  }
  return IfThenElse(c, t, e);
}

Stmt StmtMutator::MutateSeq(const SeqNode* op, const Stmt& self) {
  std::vector<Stmt> stmts;
  bool changed = false;
  for (const Stmt& s : op->stmts) {
    stmts.push_back(Mutate(s));
    changed |= !stmts.back().same_as(s);
  }
  if (!changed) return self;
  return Seq(std::move(stmts));
}

Stmt StmtMutator::MutateLetStmt(const LetStmtNode* op, const Stmt& self) {
  Expr v = Mutate(op->value);
  Stmt b = Mutate(op->body);
  if (v.same_as(op->value) && b.same_as(op->body)) return self;
  return LetStmt(op->var, v, b);
}

Stmt StmtMutator::MutateEvaluate(const EvaluateNode* op, const Stmt& self) {
  Expr v = Mutate(op->value);
  if (v.same_as(op->value)) return self;
  return Evaluate(v);
}

// ---- Helpers ----

namespace {

class Substituter : public StmtMutator {
 public:
  explicit Substituter(const VarMap& vmap) : vmap_(vmap) {}

 protected:
  Expr MutateVar(const VarNode* op, const Expr& self) override {
    auto it = vmap_.find(op);
    return it == vmap_.end() ? self : it->second;
  }

 private:
  const VarMap& vmap_;
};

class VarUseFinder : public StmtVisitor {
 public:
  explicit VarUseFinder(const VarNode* var) : var_(var) {}
  bool found() const { return found_; }

 protected:
  void VisitVar(const VarNode* op) override { found_ |= op == var_; }

 private:
  const VarNode* var_;
  bool found_ = false;
};

}  // namespace

Expr Substitute(const Expr& e, const VarMap& vmap) {
  if (vmap.empty()) return e;
  Substituter s(vmap);
  return s.Mutate(e);
}

Stmt Substitute(const Stmt& s, const VarMap& vmap) {
  if (vmap.empty()) return s;
  Substituter sub(vmap);
  return sub.Mutate(s);
}

bool UsesVar(const Expr& e, const VarNode* var) {
  VarUseFinder finder(var);
  finder.Visit(e);
  return finder.found();
}

bool UsesVar(const Stmt& s, const VarNode* var) {
  VarUseFinder finder(var);
  finder.Visit(s);
  return finder.found();
}

}  // namespace kiln::ir

// Traversal of the IR: read-only visitors and rebuilding mutators.
//
// Override the Visit<Kind>/Mutate<Kind> methods for the nodes a pass cares
// about; the defaults walk (or rebuild) children. Mutators return `self`
// unchanged when no child changed, so passes share untouched subtrees.
#ifndef KILN_IR_FUNCTOR_H_
#define KILN_IR_FUNCTOR_H_

#include "absl/container/flat_hash_map.h"
#include "ir/expr.h"
#include "ir/stmt.h"

namespace kiln::ir {

class ExprVisitor {
 public:
  virtual ~ExprVisitor() = default;
  virtual void Visit(const Expr& e);

 protected:
  virtual void VisitIntImm(const IntImmNode* op);
  virtual void VisitFloatImm(const FloatImmNode* op);
  virtual void VisitVar(const VarNode* op);
  virtual void VisitCast(const CastNode* op);
  virtual void VisitBinary(const BinaryNode* op);
  virtual void VisitNot(const NotNode* op);
  virtual void VisitSelect(const SelectNode* op);
  virtual void VisitRamp(const RampNode* op);
  virtual void VisitBroadcast(const BroadcastNode* op);
  virtual void VisitCall(const CallNode* op);
  virtual void VisitLet(const LetNode* op);
  virtual void VisitLoad(const LoadNode* op);
  virtual void VisitTensorRead(const TensorReadNode* op);  // indices only
  virtual void VisitReduce(const ReduceNode* op);  // source, condition, axis bounds
};

class StmtVisitor : public ExprVisitor {
 public:
  using ExprVisitor::Visit;
  virtual void Visit(const Stmt& s);

 protected:
  virtual void VisitFor(const ForNode* op);
  virtual void VisitStore(const StoreNode* op);
  virtual void VisitAllocate(const AllocateNode* op);
  virtual void VisitIfThenElse(const IfThenElseNode* op);
  virtual void VisitSeq(const SeqNode* op);
  virtual void VisitLetStmt(const LetStmtNode* op);
  virtual void VisitEvaluate(const EvaluateNode* op);
};

class ExprMutator {
 public:
  virtual ~ExprMutator() = default;
  virtual Expr Mutate(const Expr& e);

 protected:
  virtual Expr MutateIntImm(const IntImmNode* op, const Expr& self);
  virtual Expr MutateFloatImm(const FloatImmNode* op, const Expr& self);
  virtual Expr MutateVar(const VarNode* op, const Expr& self);
  virtual Expr MutateCast(const CastNode* op, const Expr& self);
  virtual Expr MutateBinary(const BinaryNode* op, const Expr& self);
  virtual Expr MutateNot(const NotNode* op, const Expr& self);
  virtual Expr MutateSelect(const SelectNode* op, const Expr& self);
  virtual Expr MutateRamp(const RampNode* op, const Expr& self);
  virtual Expr MutateBroadcast(const BroadcastNode* op, const Expr& self);
  virtual Expr MutateCall(const CallNode* op, const Expr& self);
  virtual Expr MutateLet(const LetNode* op, const Expr& self);
  virtual Expr MutateLoad(const LoadNode* op, const Expr& self);
  virtual Expr MutateTensorRead(const TensorReadNode* op, const Expr& self);
  virtual Expr MutateReduce(const ReduceNode* op, const Expr& self);
};

class StmtMutator : public ExprMutator {
 public:
  using ExprMutator::Mutate;
  virtual Stmt Mutate(const Stmt& s);

 protected:
  virtual Stmt MutateFor(const ForNode* op, const Stmt& self);
  virtual Stmt MutateStore(const StoreNode* op, const Stmt& self);
  virtual Stmt MutateAllocate(const AllocateNode* op, const Stmt& self);
  virtual Stmt MutateIfThenElse(const IfThenElseNode* op, const Stmt& self);
  virtual Stmt MutateSeq(const SeqNode* op, const Stmt& self);
  virtual Stmt MutateLetStmt(const LetStmtNode* op, const Stmt& self);
  virtual Stmt MutateEvaluate(const EvaluateNode* op, const Stmt& self);
};

using VarMap = absl::flat_hash_map<const VarNode*, Expr>;

// Replaces every use of the mapped variables.
Expr Substitute(const Expr& e, const VarMap& vmap);
Stmt Substitute(const Stmt& s, const VarMap& vmap);

bool UsesVar(const Expr& e, const VarNode* var);
bool UsesVar(const Stmt& s, const VarNode* var);

}  // namespace kiln::ir

#endif  // KILN_IR_FUNCTOR_H_

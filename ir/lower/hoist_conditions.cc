#include "ir/lower/hoist_conditions.h"

#include <utility>
#include <vector>

#include "ir/functor.h"

namespace kiln::ir {
namespace {

void AppendConjuncts(const Expr& e, std::vector<Expr>* out) {
  if (const auto* b = e.as<BinaryNode>(); b && b->op == BinaryOp::kAnd) {
    AppendConjuncts(b->a, out);
    AppendConjuncts(b->b, out);
  } else {
    out->push_back(e);
  }
}

Expr Conjunction(const std::vector<Expr>& terms) {
  Expr all;
  for (const Expr& t : terms) all = all.defined() ? And(all, t) : t;
  return all;
}

bool LoadsMemory(const Expr& e) {
  class Finder : public ExprVisitor {
   public:
    bool found = false;

   protected:
    void VisitLoad(const LoadNode*) override { found = true; }
  };
  Finder f;
  f.Visit(e);
  return f.found;
}

bool IsPrefetch(const Stmt& s) {
  const auto* eval = s.as<EvaluateNode>();
  const auto* call = eval ? eval->value.as<CallNode>() : nullptr;
  return call && call->op == Intrinsic::kPrefetch;
}

class Hoister : public StmtMutator {
 protected:
  Stmt MutateFor(const ForNode* op, const Stmt& self) override {
    Stmt inner = StmtMutator::MutateFor(op, self);
    const auto* loop = inner.as<ForNode>();
    if (!loop) return inner;
    // The body: prefetches, then one if without an else.
    std::vector<Stmt> prefetches;
    Stmt guarded = loop->body;
    if (const auto* seq = guarded.as<SeqNode>(); seq && !seq->stmts.empty()) {
      for (size_t k = 0; k + 1 < seq->stmts.size(); ++k) {
        if (!IsPrefetch(seq->stmts[k])) return inner;
        prefetches.push_back(seq->stmts[k]);
      }
      guarded = seq->stmts.back();
    }
    std::vector<Expr> conjuncts;
    const IfThenElseNode* test = guarded.as<IfThenElseNode>();
    if (!test || test->else_case.defined()) return inner;
    Stmt then_case;
    for (; test && !test->else_case.defined(); test = then_case.as<IfThenElseNode>()) {
      AppendConjuncts(test->condition, &conjuncts);
      then_case = test->then_case;
    }
    std::vector<Expr> hoisted, kept;
    for (const Expr& c : conjuncts) {
      (UsesVar(c, loop->var.get()) || LoadsMemory(c) ? kept : hoisted).push_back(c);
    }
    if (hoisted.empty()) return inner;
    if (!kept.empty()) then_case = IfThenElse(Conjunction(kept), then_case);
    prefetches.push_back(then_case);
    return IfThenElse(Conjunction(hoisted),
                      For(loop->var, loop->min, loop->extent, loop->for_kind, Seq(prefetches)));
  }
};

}  // namespace

Stmt HoistConditions(const Stmt& s) {
  Hoister h;
  return h.Mutate(s);
}

}  // namespace kiln::ir

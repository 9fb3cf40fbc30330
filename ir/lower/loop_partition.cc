#include "ir/lower/loop_partition.h"

#include "ir/functor.h"
#include "ir/simplify.h"

namespace kiln::ir {
namespace {

int CountIfs(const Stmt& s) {
  class Counter : public StmtVisitor {
   public:
    int count = 0;

   protected:
    void VisitIfThenElse(const IfThenElseNode* op) override {
      ++count;
      StmtVisitor::VisitIfThenElse(op);
    }
  };
  Counter c;
  c.Visit(s);
  return c.count;
}

class Partitioner : public StmtMutator {
 protected:
  Stmt MutateFor(const ForNode* op, const Stmt& self) override {
    Stmt inner = StmtMutator::MutateFor(op, self);
    const auto* loop = inner.as<ForNode>();
    if (!loop || (loop->for_kind != ForKind::kSerial && loop->for_kind != ForKind::kParallel)) {
      return inner;
    }
    const int64_t* min = AsConstInt(loop->min);
    const int64_t* extent = AsConstInt(loop->extent);
    if (!min || !extent || *extent < 2 || !UsesVar(loop->body, loop->var.get())) return inner;
    const int guards = CountIfs(loop->body);
    if (guards == 0) return inner;
    // With the last iteration excluded, do guards become provably true?
    Stmt main = Simplify(loop->body, {{loop->var.get(), {*min, *min + *extent - 2}}});
    if (CountIfs(main) >= guards) return inner;
    Stmt tail = Simplify(Substitute(loop->body, {{loop->var.get(), Expr(*min + *extent - 1)}}));
    return Seq({For(loop->var, loop->min, Expr(*extent - 1), loop->for_kind, main), tail});
  }
};

}  // namespace

Stmt PartitionLoops(const Stmt& s) {
  Partitioner p;
  return p.Mutate(s);
}

}  // namespace kiln::ir

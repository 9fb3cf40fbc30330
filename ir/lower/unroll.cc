#include "ir/lower/unroll.h"

#include <vector>

#include "ir/functor.h"

namespace kiln::ir {
namespace {

// Beyond this many copies, code size costs more than the loop does.
constexpr int64_t kMaxUnroll = 256;

class Unroller : public StmtMutator {
 protected:
  Stmt MutateFor(const ForNode* op, const Stmt& self) override {
    Stmt inner = StmtMutator::MutateFor(op, self);
    const auto* loop = inner.as<ForNode>();
    if (!loop || loop->for_kind != ForKind::kUnrolled) return inner;
    const int64_t* extent = AsConstInt(loop->extent);
    if (!extent || *extent > kMaxUnroll) {
      return For(loop->var, loop->min, loop->extent, ForKind::kSerial, loop->body);
    }
    std::vector<Stmt> copies;
    for (int64_t k = 0; k < *extent; ++k) {
      copies.push_back(Substitute(loop->body, {{loop->var.get(), loop->min + k}}));
    }
    return Seq(std::move(copies));
  }
};

}  // namespace

Stmt UnrollLoops(const Stmt& s) {
  Unroller u;
  return u.Mutate(s);
}

}  // namespace kiln::ir

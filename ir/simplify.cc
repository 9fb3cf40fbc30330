#include "ir/simplify.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "ir/functor.h"

namespace kiln::ir {
namespace {

// sum(coef_k * atom_k) + constant, over scalar integer atoms (variables or
// expressions that are not sums).
struct LinearForm {
  std::vector<std::pair<Expr, int64_t>> terms;
  int64_t constant = 0;

  void Add(const Expr& atom, int64_t coef) {
    if (coef == 0) return;
    for (auto& [a, c] : terms) {
      if (a.same_as(atom)) {
        c += coef;
        return;
      }
    }
    terms.emplace_back(atom, coef);
  }
  void AddForm(const LinearForm& other, int64_t scale) {
    for (const auto& [a, c] : other.terms) Add(a, c * scale);
    constant += other.constant * scale;
  }
};

// The algebra below treats integers as unbounded, which holds for index
// arithmetic (int32 and int64, never near overflow) but not for the narrow
// and unsigned types of data, whose arithmetic wraps: those are left alone.
bool IsScalarInt(const Expr& e) {
  const DataType t = e.dtype();
  return t.is_scalar() &&
         (t.scalar() == ScalarType::kInt32 || t.scalar() == ScalarType::kInt64);
}

// Checked arithmetic on optional bounds.
std::optional<int64_t> Mul(std::optional<int64_t> a, int64_t c) {
  if (!a) return std::nullopt;
  return *a * c;
}
std::optional<int64_t> AddOpt(std::optional<int64_t> a, std::optional<int64_t> b) {
  if (!a || !b) return std::nullopt;
  return *a + *b;
}

Interval Scale(const Interval& in, int64_t c) {
  if (c >= 0) return {Mul(in.min, c), Mul(in.max, c)};
  return {Mul(in.max, c), Mul(in.min, c)};
}

Interval Plus(const Interval& a, const Interval& b) {
  return {AddOpt(a.min, b.min), AddOpt(a.max, b.max)};
}


class Simplifier : public StmtMutator {
 public:
  explicit Simplifier(VarRanges ranges) : ranges_(std::move(ranges)) {}

  Interval Bound(const Expr& e) {
    if (!IsScalarInt(e)) return Interval::Everything();
    if (const int64_t* c = AsConstInt(e)) return Interval::Point(*c);
    if (const auto* v = e.as<VarNode>()) {
      auto it = ranges_.find(v);
      return it == ranges_.end() ? Interval::Everything() : it->second;
    }
    if (const auto* b = e.as<BinaryNode>()) {
      const Interval x = Bound(b->a), y = Bound(b->b);
      const int64_t* cy = AsConstInt(b->b);
      switch (b->op) {
        case BinaryOp::kAdd: return Plus(x, y);
        case BinaryOp::kSub: return Plus(x, Scale(y, -1));
        case BinaryOp::kMul:
          if (cy) return Scale(x, *cy);
          if (const int64_t* cx = AsConstInt(b->a)) return Scale(y, *cx);
          if (x.min && *x.min >= 0 && y.min && *y.min >= 0) {
            return {*x.min * *y.min, (x.max && y.max) ? std::optional<int64_t>(*x.max * *y.max)
                                                      : std::nullopt};
          }
          return Interval::Everything();
        case BinaryOp::kFloorDiv:
          if (cy && *cy > 0) {
            return {x.min ? std::optional<int64_t>(FloorDivide(*x.min, *cy)) : std::nullopt,
                    x.max ? std::optional<int64_t>(FloorDivide(*x.max, *cy)) : std::nullopt};
          }
          return Interval::Everything();
        case BinaryOp::kFloorMod:
          if (cy && *cy > 0) {
            if (x.min && x.max && *x.min >= 0 && *x.max < *cy) return x;
            return {0, *cy - 1};
          }
          return Interval::Everything();
        case BinaryOp::kMin:
          return {(x.min && y.min) ? std::optional<int64_t>(std::min(*x.min, *y.min))
                                   : std::nullopt,
                  x.max && y.max ? std::optional<int64_t>(std::min(*x.max, *y.max))
                                 : (x.max ? x.max : y.max)};
        case BinaryOp::kMax:
          return {x.min && y.min ? std::optional<int64_t>(std::max(*x.min, *y.min))
                                 : (x.min ? x.min : y.min),
                  (x.max && y.max) ? std::optional<int64_t>(std::max(*x.max, *y.max))
                                   : std::nullopt};
        default:
          return Interval::Everything();
      }
    }
    return Interval::Everything();
  }

  // Decides a comparison when the bounds allow; nullopt otherwise.
  std::optional<bool> Decide(BinaryOp op, const Expr& a, const Expr& b) {
    if (!IsScalarInt(a)) return std::nullopt;
    const Interval d = Bound(Canonical(ToLinear(a - b)));
    switch (op) {
      case BinaryOp::kLT:
        if (d.max && *d.max < 0) return true;
        if (d.min && *d.min >= 0) return false;
        break;
      case BinaryOp::kLE:
        if (d.max && *d.max <= 0) return true;
        if (d.min && *d.min > 0) return false;
        break;
      case BinaryOp::kGT:
        if (d.min && *d.min > 0) return true;
        if (d.max && *d.max <= 0) return false;
        break;
      case BinaryOp::kGE:
        if (d.min && *d.min >= 0) return true;
        if (d.max && *d.max < 0) return false;
        break;
      case BinaryOp::kEQ:
        if (d.min && d.max && *d.min == 0 && *d.max == 0) return true;
        if ((d.min && *d.min > 0) || (d.max && *d.max < 0)) return false;
        break;
      case BinaryOp::kNE:
        if (d.min && d.max && *d.min == 0 && *d.max == 0) return false;
        if ((d.min && *d.min > 0) || (d.max && *d.max < 0)) return true;
        break;
      default:
        break;
    }
    return std::nullopt;
  }

  LinearForm ToLinear(const Expr& e) {
    LinearForm form;
    if (const int64_t* c = AsConstInt(e)) {
      form.constant = *c;
      return form;
    }
    if (const auto* b = e.as<BinaryNode>()) {
      if (b->op == BinaryOp::kAdd || b->op == BinaryOp::kSub) {
        form.AddForm(ToLinear(b->a), 1);
        form.AddForm(ToLinear(b->b), b->op == BinaryOp::kAdd ? 1 : -1);
        return form;
      }
      if (b->op == BinaryOp::kMul) {
        if (const int64_t* c = AsConstInt(b->b)) {
          form.AddForm(ToLinear(b->a), *c);
          return form;
        }
        if (const int64_t* c = AsConstInt(b->a)) {
          form.AddForm(ToLinear(b->b), *c);
          return form;
        }
      }
    }
    form.Add(e, 1);
    return form;
  }

  Expr Canonical(const LinearForm& form, DataType t = DataType::Int64()) {
    Expr sum;
    for (const auto& [atom, coef] : form.terms) {
      if (coef == 0) continue;
      Expr term = coef == 1 ? atom : atom * IntImm(t, coef);
      sum = sum.defined() ? sum + term : term;
    }
    if (!sum.defined()) return IntImm(t, form.constant);
    if (form.constant != 0) sum = sum + IntImm(t, form.constant);
    return sum;
  }

  // x floordiv c and x floormod c where x = c*q + r and 0 <= r < c.
  std::optional<Expr> DivMod(const Expr& x, int64_t c, bool want_div) {
    const DataType t = x.dtype();
    LinearForm form = ToLinear(x);
    LinearForm q, r;
    for (const auto& [atom, coef] : form.terms) {
      if (coef % c == 0) {
        q.Add(atom, coef / c);
      } else {
        r.Add(atom, coef);
      }
    }
    q.constant = FloorDivide(form.constant, c);
    r.constant = form.constant - q.constant * c;
    const Expr rest = Canonical(r, t);
    const Interval br = Bound(rest);
    if (br.min && br.max && *br.min >= 0 && *br.max < c) {
      return want_div ? Canonical(q, t) : rest;
    }
    if (!want_div && q.terms.empty() && q.constant == 0) return std::nullopt;
    // Peel the multiple-of-c part even when the rest's range is unknown.
    if (!q.terms.empty() || q.constant != 0) {
      if (want_div) return Canonical(q, t) + FloorDiv(rest, IntImm(t, c));
      return FloorMod(rest, IntImm(t, c));
    }
    return std::nullopt;
  }

 protected:
  Expr MutateVar(const VarNode* op, const Expr& self) override {
    auto it = ranges_.find(op);
    if (it != ranges_.end() && it->second.min && it->second.max &&
        *it->second.min == *it->second.max) {
      return IntImm(op->dtype, *it->second.min);
    }
    return self;
  }

  Expr MutateBinary(const BinaryNode* op, const Expr& self) override {
    Expr a = Mutate(op->a);
    Expr b = Mutate(op->b);
    Expr rebuilt = (a.same_as(op->a) && b.same_as(op->b)) ? self : Binary(op->op, a, b);
    const auto* node = rebuilt.as<BinaryNode>();
    // The builder folds (0 + x is x): what is left may be another operation
    // altogether, whose operands are not `a` and `b`.
    if (node && node->op != op->op) return rebuilt;
    if (node) {
      a = node->a;
      b = node->b;
    }
    if (!node || !IsScalarInt(a)) {
      if (node && IsComparison(node->op) && IsScalarInt(a)) {
        if (auto d = Decide(node->op, a, b)) return IntImm(DataType::Bool(), *d);
      }
      return rebuilt;
    }
    if (IsComparison(node->op)) {
      if (auto d = Decide(node->op, a, b)) return IntImm(DataType::Bool(), *d);
      return rebuilt;
    }
    const int64_t* cb = AsConstInt(b);
    switch (node->op) {
      case BinaryOp::kAdd:
      case BinaryOp::kSub:
      case BinaryOp::kMul:
        return Canonical(ToLinear(rebuilt), rebuilt.dtype());
      case BinaryOp::kFloorDiv:
      case BinaryOp::kFloorMod:
        if (cb && *cb > 0) {
          if (auto r = DivMod(a, *cb, node->op == BinaryOp::kFloorDiv)) return *r;
        }
        return rebuilt;
      case BinaryOp::kMin:
      case BinaryOp::kMax: {
        auto le = Decide(BinaryOp::kLE, a, b);
        if (!le) {
          auto ge = Decide(BinaryOp::kGE, a, b);
          if (ge) le = !*ge;
        }
        if (le) return (node->op == BinaryOp::kMin) == *le ? a : b;
        return rebuilt;
      }
      default:
        return rebuilt;
    }
  }

  Expr MutateSelect(const SelectNode* op, const Expr& self) override {
    Expr c = Mutate(op->condition);
    if (const int64_t* v = AsConstInt(c)) return Mutate(*v ? op->true_value : op->false_value);
    return ExprMutator::MutateSelect(op, self);
  }

  Stmt MutateFor(const ForNode* op, const Stmt& self) override {
    Expr min = Mutate(op->min);
    Expr extent = Mutate(op->extent);
    const int64_t* e = AsConstInt(extent);
    if (e && *e <= 0) return Seq({});
    if (e && *e == 1) {
      return Mutate(Substitute(op->body, {{op->var.get(), min}}));
    }
    const Interval bmin = Bound(min), bext = Bound(extent);
    Interval range{bmin.min, (bmin.max && bext.max)
                                 ? std::optional<int64_t>(*bmin.max + *bext.max - 1)
                                 : std::nullopt};
    auto saved = ranges_.find(op->var.get()) != ranges_.end()
                     ? std::optional<Interval>(ranges_[op->var.get()])
                     : std::nullopt;
    ranges_[op->var.get()] = range;
    Stmt body = Mutate(op->body);
    if (saved) ranges_[op->var.get()] = *saved; else ranges_.erase(op->var.get());
    if (const auto* seq = body.as<SeqNode>(); seq && seq->stmts.empty()) return body;
    if (min.same_as(op->min) && extent.same_as(op->extent) && body.same_as(op->body)) {
      return self;
    }
    return For(op->var, min, extent, op->for_kind, body);
  }

  Stmt MutateIfThenElse(const IfThenElseNode* op, const Stmt& self) override {
    Expr c = Mutate(op->condition);
    if (const int64_t* v = AsConstInt(c)) {
      if (*v) return Mutate(op->then_case);
      return op->else_case.defined() ? Mutate(op->else_case) : Seq({});
    }
    return StmtMutator::MutateIfThenElse(op, self);
  }

 private:
  VarRanges ranges_;
};

}  // namespace

Interval BoundOf(const Expr& e, const VarRanges& ranges) {
  Simplifier s(ranges);
  return s.Bound(e);
}

bool ProveTrue(const Expr& condition, const VarRanges& ranges) {
  Expr c = Simplify(condition, ranges);
  const int64_t* v = AsConstInt(c);
  return v && *v;
}

Expr Simplify(const Expr& e, const VarRanges& ranges) {
  Simplifier s(ranges);
  return s.Mutate(e);
}

Stmt Simplify(const Stmt& s, const VarRanges& ranges) {
  Simplifier simplifier(ranges);
  return simplifier.Mutate(s);
}

}  // namespace kiln::ir

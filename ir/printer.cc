#include "ir/printer.h"

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ir/functor.h"

namespace kiln::ir {

// TensorNode is only forward-declared here; the printer needs its name.
std::string TensorName(const Tensor& tensor);

namespace {

class Printer {
 public:
  std::string Print(const Expr& e) {
    std::string out;
    PrintExpr(e, &out);
    return out;
  }

  void PrintStmt(const Stmt& s, int indent, std::string* out) {
    if (!s.defined()) return;
    const std::string pad(indent * 2, ' ');
    switch (s.kind()) {
      case StmtKind::kFor: {
        const auto* op = s.as<ForNode>();
        absl::StrAppend(out, pad, ForKindName(op->for_kind), " (", Name(op->var.get()), ", ",
                        Print(op->min), ", ", Print(op->extent), ") {\n");
        PrintStmt(op->body, indent + 1, out);
        absl::StrAppend(out, pad, "}\n");
        return;
      }
      case StmtKind::kStore: {
        const auto* op = s.as<StoreNode>();
        absl::StrAppend(out, pad, op->buffer->name, "[", Print(op->index));
        if (op->predicate) absl::StrAppend(out, " if ", Print(op->predicate));
        absl::StrAppend(out, "] = ", Print(op->value), "\n");
        return;
      }
      case StmtKind::kAllocate: {
        const auto* op = s.as<AllocateNode>();
        absl::StrAppend(out, pad, "allocate ", op->buffer->name, "[",
                        op->buffer->dtype.ToString());
        for (const Expr& d : op->buffer->shape) absl::StrAppend(out, " * ", Print(d));
        absl::StrAppend(out, "], ",
                        op->buffer->scope == MemoryScope::kStack ? "stack" : "heap", "\n");
        PrintStmt(op->body, indent, out);
        return;
      }
      case StmtKind::kIfThenElse: {
        const auto* op = s.as<IfThenElseNode>();
        absl::StrAppend(out, pad, "if (", Print(op->condition), ") {\n");
        PrintStmt(op->then_case, indent + 1, out);
        if (op->else_case) {
          absl::StrAppend(out, pad, "} else {\n");
          PrintStmt(op->else_case, indent + 1, out);
        }
        absl::StrAppend(out, pad, "}\n");
        return;
      }
      case StmtKind::kSeq:
        for (const Stmt& child : s.as<SeqNode>()->stmts) PrintStmt(child, indent, out);
        return;
      case StmtKind::kLetStmt: {
        const auto* op = s.as<LetStmtNode>();
        absl::StrAppend(out, pad, Name(op->var.get()), " = ", Print(op->value), "\n");
        PrintStmt(op->body, indent, out);
        return;
      }
      case StmtKind::kEvaluate:
        absl::StrAppend(out, pad, Print(s.as<EvaluateNode>()->value), "\n");
        return;
    }
  }

  // Distinct variables sharing a name get a suffix: i, i_1, i_2, ...
  std::string Name(const VarNode* var) {
    auto it = names_.find(var);
    if (it != names_.end()) return it->second;
    std::string name = var->name;
    for (int k = 1; used_.contains(name); ++k) name = absl::StrCat(var->name, "_", k);
    used_.insert(name);
    names_[var] = name;
    return name;
  }

 private:
  void PrintExpr(const Expr& e, std::string* out) {
    if (!e.defined()) {
      absl::StrAppend(out, "<null>");
      return;
    }
    switch (e.kind()) {
      case ExprKind::kIntImm: {
        const auto* op = e.as<IntImmNode>();
        if (op->dtype.is_bool()) {
          absl::StrAppend(out, op->value ? "true" : "false");
        } else {
          absl::StrAppend(out, op->value);
          // int64 literals are the common case and go unmarked.
          if (op->dtype.scalar() == ScalarType::kInt32) {
            absl::StrAppend(out, "i32");
          } else if (op->dtype.scalar() != ScalarType::kInt64) {
            absl::StrAppend(out, ":", op->dtype.ToString());
          }
        }
        return;
      }
      case ExprKind::kFloatImm:
        if (e.dtype().scalar() == ScalarType::kFloat64) {
          absl::StrAppend(out, absl::StrFormat("%.17g:float64", e.as<FloatImmNode>()->value));
        } else {
          absl::StrAppend(out, absl::StrFormat("%.9gf", e.as<FloatImmNode>()->value));
        }
        return;
      case ExprKind::kVar:
        absl::StrAppend(out, Name(e.as<VarNode>()));
        return;
      case ExprKind::kCast: {
        const auto* op = e.as<CastNode>();
        absl::StrAppend(out, op->dtype.ToString(), "(");
        PrintExpr(op->value, out);
        absl::StrAppend(out, ")");
        return;
      }
      case ExprKind::kBinary: {
        const auto* op = e.as<BinaryNode>();
        const bool call_form = op->op == BinaryOp::kFloorDiv || op->op == BinaryOp::kFloorMod ||
                               op->op == BinaryOp::kMin || op->op == BinaryOp::kMax;
        if (call_form) {
          absl::StrAppend(out, BinaryOpSymbol(op->op), "(");
          PrintExpr(op->a, out);
          absl::StrAppend(out, ", ");
          PrintExpr(op->b, out);
          absl::StrAppend(out, ")");
        } else {
          absl::StrAppend(out, "(");
          PrintExpr(op->a, out);
          absl::StrAppend(out, " ", BinaryOpSymbol(op->op), " ");
          PrintExpr(op->b, out);
          absl::StrAppend(out, ")");
        }
        return;
      }
      case ExprKind::kNot:
        absl::StrAppend(out, "!");
        PrintExpr(e.as<NotNode>()->a, out);
        return;
      case ExprKind::kSelect: {
        const auto* op = e.as<SelectNode>();
        absl::StrAppend(out, "select(");
        PrintExpr(op->condition, out);
        absl::StrAppend(out, ", ");
        PrintExpr(op->true_value, out);
        absl::StrAppend(out, ", ");
        PrintExpr(op->false_value, out);
        absl::StrAppend(out, ")");
        return;
      }
      case ExprKind::kRamp: {
        const auto* op = e.as<RampNode>();
        absl::StrAppend(out, "ramp(");
        PrintExpr(op->base, out);
        absl::StrAppend(out, ", ");
        PrintExpr(op->stride, out);
        absl::StrAppend(out, ", ", op->lanes, ")");
        return;
      }
      case ExprKind::kBroadcast: {
        const auto* op = e.as<BroadcastNode>();
        absl::StrAppend(out, "x", op->lanes, "(");
        PrintExpr(op->value, out);
        absl::StrAppend(out, ")");
        return;
      }
      case ExprKind::kCall: {
        const auto* op = e.as<CallNode>();
        absl::StrAppend(out, IntrinsicName(op->op), "(");
        for (size_t i = 0; i < op->args.size(); ++i) {
          if (i) absl::StrAppend(out, ", ");
          PrintExpr(op->args[i], out);
        }
        absl::StrAppend(out, ")");
        return;
      }
      case ExprKind::kLet: {
        const auto* op = e.as<LetNode>();
        absl::StrAppend(out, "(let ", Name(op->var.get()), " = ");
        PrintExpr(op->value, out);
        absl::StrAppend(out, " in ");
        PrintExpr(op->body, out);
        absl::StrAppend(out, ")");
        return;
      }
      case ExprKind::kLoad: {
        const auto* op = e.as<LoadNode>();
        absl::StrAppend(out, op->buffer->name, "[");
        PrintExpr(op->index, out);
        if (op->predicate) {
          absl::StrAppend(out, " if ");
          PrintExpr(op->predicate, out);
        }
        absl::StrAppend(out, "]");
        return;
      }
      case ExprKind::kTensorRead: {
        const auto* op = e.as<TensorReadNode>();
        absl::StrAppend(out, TensorName(op->tensor), "(");
        for (size_t i = 0; i < op->indices.size(); ++i) {
          if (i) absl::StrAppend(out, ", ");
          PrintExpr(op->indices[i], out);
        }
        absl::StrAppend(out, ")");
        return;
      }
      case ExprKind::kReduce: {
        const auto* op = e.as<ReduceNode>();
        const char* name = op->op == ReduceOp::kSum   ? "sum"
                           : op->op == ReduceOp::kMax ? "max"
                           : op->op == ReduceOp::kMin ? "min"
                                                      : "prod";
        absl::StrAppend(out, name, "(");
        PrintExpr(op->source, out);
        absl::StrAppend(out, ", axes=[");
        for (size_t i = 0; i < op->axes.size(); ++i) {
          if (i) absl::StrAppend(out, ", ");
          absl::StrAppend(out, Name(op->axes[i]->var.get()), " in [");
          PrintExpr(op->axes[i]->min, out);
          absl::StrAppend(out, ", +");
          PrintExpr(op->axes[i]->extent, out);
          absl::StrAppend(out, ")");
        }
        absl::StrAppend(out, "]");
        if (op->condition) {
          absl::StrAppend(out, ", where ");
          PrintExpr(op->condition, out);
        }
        absl::StrAppend(out, ")");
        return;
      }
    }
  }

  absl::flat_hash_map<const VarNode*, std::string> names_;
  absl::flat_hash_set<std::string> used_;
};

}  // namespace

std::string ToString(const Expr& e) { return Printer().Print(e); }

std::string ToString(const Stmt& s) {
  std::string out;
  Printer().PrintStmt(s, 0, &out);
  return out;
}

std::string ToString(const LoweredFunc& f) {
  Printer printer;
  std::string out = absl::StrCat("func ", f.name, "(");
  for (size_t i = 0; i < f.args.size(); ++i) {
    const Buffer& b = f.args[i];
    if (i) absl::StrAppend(&out, ", ");
    absl::StrAppend(&out, b->name, ": ", b->dtype.ToString(), "[");
    for (size_t d = 0; d < b->shape.size(); ++d) {
      if (d) absl::StrAppend(&out, ", ");
      absl::StrAppend(&out, printer.Print(b->shape[d]));
    }
    absl::StrAppend(&out, "]");
  }
  absl::StrAppend(&out, ") {\n");
  printer.PrintStmt(f.body, 1, &out);
  absl::StrAppend(&out, "}\n");
  return out;
}

std::ostream& operator<<(std::ostream& os, const Expr& e) { return os << ToString(e); }
std::ostream& operator<<(std::ostream& os, const Stmt& s) { return os << ToString(s); }

}  // namespace kiln::ir

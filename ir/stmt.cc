#include "ir/stmt.h"

#include <utility>

#include "glog/logging.h"

namespace kiln::ir {

const char* ForKindName(ForKind kind) {
  switch (kind) {
    case ForKind::kSerial: return "for";
    case ForKind::kParallel: return "parallel";
    case ForKind::kVectorized: return "vectorized";
    case ForKind::kUnrolled: return "unrolled";
  }
  return "?";
}

Stmt For(Var var, Expr min, Expr extent, ForKind kind, Stmt body) {
  CHECK(var.defined() && min.defined() && extent.defined() && body.defined()) << "For with a null part";
  CHECK(min.dtype().is_scalar() && min.dtype().is_int() &&
        extent.dtype().is_scalar() && extent.dtype().is_int())
      << "loop " << var.name() << " bounds must be scalar integers";
  return Stmt(std::make_shared<ForNode>(std::move(var), std::move(min), std::move(extent),
                                        kind, std::move(body)));
}

Stmt Store(Buffer buffer, Expr value, Expr index, Expr predicate) {
  CHECK(buffer != nullptr && value.defined() && index.defined()) << "Store with a null part";
  CHECK(index.dtype().is_int()) << "store index of " << index.dtype().ToString();
  const int lanes = index.dtype().lanes();
  if (value.dtype().lanes() != lanes && value.dtype().is_scalar()) {
    value = Broadcast(value, lanes);
  }
  CHECK(value.dtype() == buffer->dtype.with_lanes(lanes))
      << "store of " << value.dtype().ToString() << " into " << buffer->name << " ("
      << buffer->dtype.ToString() << ") at " << lanes << " lanes";
  if (predicate) {
    CHECK(predicate.dtype() == DataType::Bool(lanes))
        << "store predicate " << predicate.dtype().ToString() << " for " << lanes << " lanes";
  }
  return Stmt(std::make_shared<StoreNode>(std::move(buffer), std::move(value),
                                          std::move(index), std::move(predicate)));
}

Stmt Allocate(Buffer buffer, Stmt body) {
  CHECK(buffer != nullptr && body.defined()) << "Allocate with a null part";
  CHECK(buffer->scope != MemoryScope::kGlobal)
      << "Allocate of global buffer " << buffer->name;
  return Stmt(std::make_shared<AllocateNode>(std::move(buffer), std::move(body)));
}

Stmt IfThenElse(Expr condition, Stmt then_case, Stmt else_case) {
  CHECK(condition.defined() && then_case.defined()) << "IfThenElse with a null part";
  CHECK(condition.dtype() == DataType::Bool()) << "if condition must be a scalar bool";
  return Stmt(std::make_shared<IfThenElseNode>(std::move(condition), std::move(then_case),
                                               std::move(else_case)));
}

Stmt Seq(std::vector<Stmt> stmts) {
  std::vector<Stmt> flat;
  flat.reserve(stmts.size());
  for (Stmt& s : stmts) {
    if (!s.defined()) continue;
    if (const auto* seq = s.as<SeqNode>()) {
      flat.insert(flat.end(), seq->stmts.begin(), seq->stmts.end());
    } else {
      flat.push_back(std::move(s));
    }
  }
  if (flat.size() == 1) return flat[0];
  return Stmt(std::make_shared<SeqNode>(std::move(flat)));
}

Stmt LetStmt(Var var, Expr value, Stmt body) {
  CHECK(var.defined() && value.defined() && body.defined()) << "LetStmt with a null part";
  CHECK(var.dtype() == value.dtype())
      << "let " << var.name() << ": " << var.dtype().ToString() << " = "
      << value.dtype().ToString();
  return Stmt(std::make_shared<LetStmtNode>(std::move(var), std::move(value), std::move(body)));
}

Stmt Evaluate(Expr value) {
  CHECK(value.defined()) << "Evaluate of a null expression";
  return Stmt(std::make_shared<EvaluateNode>(std::move(value)));
}

}  // namespace kiln::ir

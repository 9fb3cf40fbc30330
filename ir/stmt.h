// Statements of kiln's lowered loop-nest IR, and the function codegen compiles.
#ifndef KILN_IR_STMT_H_
#define KILN_IR_STMT_H_

#include <memory>
#include <string>
#include <vector>

#include "ir/expr.h"

namespace kiln::ir {

enum class StmtKind : uint8_t {
  kFor,
  kStore,
  kAllocate,
  kIfThenElse,
  kSeq,
  kLetStmt,
  kEvaluate,
};

struct StmtNode {
  explicit StmtNode(StmtKind k) : kind(k) {}
  virtual ~StmtNode() = default;
  const StmtKind kind;
};

class Stmt {
 public:
  Stmt() = default;
  Stmt(std::shared_ptr<const StmtNode> node) : node_(std::move(node)) {}
  const StmtNode* get() const { return node_.get(); }
  const StmtNode* operator->() const { return node_.get(); }
  explicit operator bool() const { return node_ != nullptr; }
  bool defined() const { return node_ != nullptr; }
  bool same_as(const Stmt& other) const { return node_ == other.node_; }
  StmtKind kind() const { return node_->kind; }
  template <typename T>
  const T* as() const {
    return node_ && node_->kind == T::kKind ? static_cast<const T*>(node_.get())
                                            : nullptr;
  }
  const std::shared_ptr<const StmtNode>& node() const { return node_; }

 private:
  std::shared_ptr<const StmtNode> node_;
};

// How a loop runs. kVectorized and kUnrolled loops are rewritten by lowering
// passes (into vector expressions and into copies of the body); a kParallel
// loop reaches codegen, which outlines its body into a task for the runtime
// thread pool.
enum class ForKind : uint8_t { kSerial, kParallel, kVectorized, kUnrolled };
const char* ForKindName(ForKind kind);

// for (var = min; var < min + extent; ++var) body
struct ForNode : StmtNode {
  static constexpr StmtKind kKind = StmtKind::kFor;
  ForNode(Var v, Expr m, Expr e, ForKind k, Stmt b)
      : StmtNode(kKind), var(std::move(v)), min(std::move(m)), extent(std::move(e)), for_kind(k), body(std::move(b)) {}
  const Var var;
  const Expr min, extent;
  const ForKind for_kind;
  const Stmt body;
};

// buffer[index] = value; a vector index stores value's lanes. `predicate`
// masks lanes as in LoadNode.
struct StoreNode : StmtNode {
  static constexpr StmtKind kKind = StmtKind::kStore;
  StoreNode(Buffer buf, Expr v, Expr i, Expr p)
      : StmtNode(kKind), buffer(std::move(buf)), value(std::move(v)), index(std::move(i)), predicate(std::move(p)) {}
  const Buffer buffer;
  const Expr value, index;
  const Expr predicate;  // may be null
};

// Allocates `buffer` (scope kHeap or kStack) with product(buffer->shape)
// elements, 64-byte aligned, for the duration of body.
struct AllocateNode : StmtNode {
  static constexpr StmtKind kKind = StmtKind::kAllocate;
  AllocateNode(Buffer buf, Stmt b) : StmtNode(kKind), buffer(std::move(buf)), body(std::move(b)) {}
  const Buffer buffer;
  const Stmt body;
};

struct IfThenElseNode : StmtNode {
  static constexpr StmtKind kKind = StmtKind::kIfThenElse;
  IfThenElseNode(Expr c, Stmt t, Stmt e)
      : StmtNode(kKind), condition(std::move(c)), then_case(std::move(t)), else_case(std::move(e)) {}
  const Expr condition;
  const Stmt then_case;
  const Stmt else_case;  // may be null
};

struct SeqNode : StmtNode {
  static constexpr StmtKind kKind = StmtKind::kSeq;
  explicit SeqNode(std::vector<Stmt> s) : StmtNode(kKind), stmts(std::move(s)) {}
  const std::vector<Stmt> stmts;
};

struct LetStmtNode : StmtNode {
  static constexpr StmtKind kKind = StmtKind::kLetStmt;
  LetStmtNode(Var v, Expr val, Stmt b)
      : StmtNode(kKind), var(std::move(v)), value(std::move(val)), body(std::move(b)) {}
  const Var var;
  const Expr value;
  const Stmt body;
};

struct EvaluateNode : StmtNode {
  static constexpr StmtKind kKind = StmtKind::kEvaluate;
  explicit EvaluateNode(Expr v) : StmtNode(kKind), value(std::move(v)) {}
  const Expr value;
};

Stmt For(Var var, Expr min, Expr extent, ForKind kind, Stmt body);
Stmt Store(Buffer buffer, Expr value, Expr index, Expr predicate = Expr());
Stmt Allocate(Buffer buffer, Stmt body);
Stmt IfThenElse(Expr condition, Stmt then_case, Stmt else_case = Stmt());
Stmt Seq(std::vector<Stmt> stmts);  // flattens nested Seqs, drops nulls
Stmt LetStmt(Var var, Expr value, Stmt body);
Stmt Evaluate(Expr value);

// A compiled unit: `void name(args...)` where each argument is a kGlobal
// buffer passed as a pointer to its first element. Codegen emits it as
//   extern "C" int32_t name(void* const* args);  // 0 on success
struct LoweredFunc {
  std::string name;
  std::vector<Buffer> args;
  Stmt body;
};

}  // namespace kiln::ir

#endif  // KILN_IR_STMT_H_

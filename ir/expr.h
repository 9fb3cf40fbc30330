// Expressions of kiln's IR.
//
// One expression language serves two levels:
//  - the tensor-expression level, where compute definitions read other tensors
//    (TensorRead) and reduce over axes (Reduce);
//  - the lowered level, which codegen consumes: scalars and vectors (Ramp,
//    Broadcast) over flat buffers (Load). After lowering no TensorRead or
//    Reduce remains; codegen rejects them.
//
// Nodes are immutable and shared; a Var is identified by its node, not by its
// name, so two loops may both be called "i" without confusion.
#ifndef KILN_IR_EXPR_H_
#define KILN_IR_EXPR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ir/data_type.h"

namespace kiln::ir {

enum class ExprKind : uint8_t {
  kIntImm,
  kFloatImm,
  kVar,
  kCast,
  kBinary,
  kNot,
  kSelect,
  kRamp,
  kBroadcast,
  kCall,
  kLet,
  kLoad,
  // Tensor-expression level only.
  kTensorRead,
  kReduce,
};

struct ExprNode;
struct VarNode;
struct BufferNode;
struct TensorNode;  // defined in ir/tensor.h
struct IterVarNode;

// A handle to an immutable expression node; null only when default-built.
class Expr {
 public:
  Expr() = default;
  Expr(std::shared_ptr<const ExprNode> node) : node_(std::move(node)) {}
  // Integer and float literals convert implicitly, so `i * 4 + 1` reads well.
  Expr(int value);
  Expr(int64_t value);
  Expr(float value);
  Expr(double value);

  const ExprNode* get() const { return node_.get(); }
  const ExprNode* operator->() const { return node_.get(); }
  const ExprNode& operator*() const { return *node_; }
  explicit operator bool() const { return node_ != nullptr; }
  bool defined() const { return node_ != nullptr; }
  bool same_as(const Expr& other) const { return node_ == other.node_; }
  DataType dtype() const;
  ExprKind kind() const;

  // The node as a concrete type, or nullptr when it is another kind.
  template <typename T>
  const T* as() const;

  const std::shared_ptr<const ExprNode>& node() const { return node_; }

 private:
  std::shared_ptr<const ExprNode> node_;
};

struct ExprNode {
  ExprNode(ExprKind kind, DataType dtype) : kind(kind), dtype(dtype) {}
  virtual ~ExprNode() = default;
  const ExprKind kind;
  const DataType dtype;
};

template <typename T>
const T* Expr::as() const {
  return node_ && node_->kind == T::kKind ? static_cast<const T*>(node_.get())
                                          : nullptr;
}

struct IntImmNode : ExprNode {
  static constexpr ExprKind kKind = ExprKind::kIntImm;
  IntImmNode(DataType t, int64_t v) : ExprNode(kKind, t), value(v) {}
  const int64_t value;
};

struct FloatImmNode : ExprNode {
  static constexpr ExprKind kKind = ExprKind::kFloatImm;
  FloatImmNode(DataType t, double v) : ExprNode(kKind, t), value(v) {}
  const double value;
};

struct VarNode : ExprNode {
  static constexpr ExprKind kKind = ExprKind::kVar;
  VarNode(DataType t, std::string n) : ExprNode(kKind, t), name(std::move(n)) {}
  const std::string name;
};

// A variable handle; converts to Expr wherever an expression is expected.
class Var {
 public:
  Var() = default;
  explicit Var(std::string name, DataType dtype = DataType::Int64());
  explicit Var(std::shared_ptr<const VarNode> node) : node_(std::move(node)) {}
  operator Expr() const { return Expr(node_); }
  const VarNode* get() const { return node_.get(); }
  const VarNode* operator->() const { return node_.get(); }
  explicit operator bool() const { return node_ != nullptr; }
  bool defined() const { return node_ != nullptr; }
  bool same_as(const Var& other) const { return node_ == other.node_; }
  const std::string& name() const { return node_->name; }
  DataType dtype() const { return node_->dtype; }
  const std::shared_ptr<const VarNode>& node() const { return node_; }

 private:
  std::shared_ptr<const VarNode> node_;
};

struct CastNode : ExprNode {
  static constexpr ExprKind kKind = ExprKind::kCast;
  CastNode(DataType t, Expr v) : ExprNode(kKind, t), value(std::move(v)) {}
  const Expr value;
};

enum class BinaryOp : uint8_t {
  kAdd,
  kSub,
  kMul,
  // Integer divisions and remainders by zero are 0, and the signed MIN / -1
  // wraps to MIN (x86 would trap on both; kernels divide user data).
  kDiv,       // float division; on integers truncates toward zero (C)
  kFloorDiv,  // integers: rounds toward negative infinity
  kFloorMod,  // integers: result has the sign of the divisor
  kMin,
  kMax,
  kEQ,
  kNE,
  kLT,
  kLE,
  kGT,
  kGE,
  kAnd,
  kOr,
  // Integers: shifts by the second operand's value, which is taken as
  // unsigned; by the width or more the result is 0 (or, shifting a negative
  // signed value right, -1). Right shifts are logical for unsigned types and
  // arithmetic for signed ones.
  kShl,
  kShr,
};

bool IsComparison(BinaryOp op);
const char* BinaryOpSymbol(BinaryOp op);  // "+", "floordiv", "<=", ...

struct BinaryNode : ExprNode {
  static constexpr ExprKind kKind = ExprKind::kBinary;
  BinaryNode(DataType t, BinaryOp o, Expr x, Expr y)
      : ExprNode(kKind, t), op(o), a(std::move(x)), b(std::move(y)) {}
  const BinaryOp op;
  const Expr a, b;
};

struct NotNode : ExprNode {
  static constexpr ExprKind kKind = ExprKind::kNot;
  NotNode(DataType t, Expr x) : ExprNode(kKind, t), a(std::move(x)) {}
  const Expr a;
};

struct SelectNode : ExprNode {
  static constexpr ExprKind kKind = ExprKind::kSelect;
  SelectNode(DataType t, Expr c, Expr tv, Expr fv)
      : ExprNode(kKind, t),
        condition(std::move(c)),
        true_value(std::move(tv)),
        false_value(std::move(fv)) {}
  const Expr condition, true_value, false_value;
};

// The vector base, base + stride, ..., base + (lanes - 1) * stride.
struct RampNode : ExprNode {
  static constexpr ExprKind kKind = ExprKind::kRamp;
  RampNode(DataType t, Expr b, Expr s, int l)
      : ExprNode(kKind, t), base(std::move(b)), stride(std::move(s)), lanes(l) {}
  const Expr base, stride;
  const int lanes;
};

struct BroadcastNode : ExprNode {
  static constexpr ExprKind kKind = ExprKind::kBroadcast;
  BroadcastNode(DataType t, Expr v, int l)
      : ExprNode(kKind, t), value(std::move(v)), lanes(l) {}
  const Expr value;
  const int lanes;
};

// Pure math functions; codegen maps each to an LLVM intrinsic or a libm call.
enum class Intrinsic : uint8_t {
  kExp,
  kLog,
  kSqrt,
  kTanh,
  kSigmoid,
  kErf,
  kPow,
  kAbs,
  kFloor,
  kCeil,
  kRound,  // half to even, as ONNX Round
  kFma,    // fma(a, b, c) = a * b + c with one rounding
  // The trigonometric and hyperbolic functions and fmod (C's, remainder with
  // the dividend's sign) are float only and as exact as libm.
  kSin,
  kCos,
  kTan,
  kAsin,
  kAcos,
  kAtan,
  kSinh,
  kCosh,
  kAsinh,
  kAcosh,
  kAtanh,
  kFmod,
  // prefetch(load): asks the CPU to bring the load's (first) cache line into
  // cache without reading it; its value is 0 and it never faults, so its
  // address may lie beyond the buffer. Only as the value of an Evaluate.
  kPrefetch,
};
const char* IntrinsicName(Intrinsic op);

struct CallNode : ExprNode {
  static constexpr ExprKind kKind = ExprKind::kCall;
  CallNode(DataType t, Intrinsic o, std::vector<Expr> a)
      : ExprNode(kKind, t), op(o), args(std::move(a)) {}
  const Intrinsic op;
  const std::vector<Expr> args;
};

struct LetNode : ExprNode {
  static constexpr ExprKind kKind = ExprKind::kLet;
  LetNode(DataType t, Var v, Expr val, Expr b)
      : ExprNode(kKind, t), var(std::move(v)), value(std::move(val)), body(std::move(b)) {}
  const Var var;
  const Expr value, body;
};

// Where a buffer lives. kGlobal buffers are function arguments; kHeap and
// kStack buffers are created by an Allocate statement.
enum class MemoryScope : uint8_t { kGlobal, kHeap, kStack };

// A flat, typed array addressed by element index. `shape` and `strides` keep
// the logical layout for printing and bounds reasoning; Load and Store index
// the flat array.
struct BufferNode {
  std::string name;
  DataType dtype;  // element type, lanes == 1
  std::vector<Expr> shape;
  MemoryScope scope = MemoryScope::kGlobal;
};
using Buffer = std::shared_ptr<const BufferNode>;
Buffer MakeBuffer(std::string name, DataType dtype, std::vector<Expr> shape,
                  MemoryScope scope = MemoryScope::kGlobal);

// buffer[index]; a vector index (Ramp or any vector of lanes n) loads n
// elements. `predicate`, when set, masks lanes (lanes where it is false are
// neither read nor trusted) and has the index's lanes.
struct LoadNode : ExprNode {
  static constexpr ExprKind kKind = ExprKind::kLoad;
  LoadNode(DataType t, Buffer buf, Expr i, Expr p)
      : ExprNode(kKind, t), buffer(std::move(buf)), index(std::move(i)), predicate(std::move(p)) {}
  const Buffer buffer;
  const Expr index;
  const Expr predicate;  // may be null
};

// ---- Tensor-expression level ----

// An iteration axis of a compute definition: a data-parallel output axis or a
// reduction axis, over [min, min + extent).
enum class IterVarKind : uint8_t { kDataParallel, kReduce };
struct IterVarNode {
  Var var;
  Expr min;
  Expr extent;
  IterVarKind kind;
};
using IterVar = std::shared_ptr<const IterVarNode>;
IterVar MakeIterVar(std::string name, Expr min, Expr extent, IterVarKind kind);

using Tensor = std::shared_ptr<const TensorNode>;

// tensor(indices...)
struct TensorReadNode : ExprNode {
  static constexpr ExprKind kKind = ExprKind::kTensorRead;
  TensorReadNode(DataType t, Tensor ten, std::vector<Expr> idx)
      : ExprNode(kKind, t), tensor(std::move(ten)), indices(std::move(idx)) {}
  const Tensor tensor;
  const std::vector<Expr> indices;
};

enum class ReduceOp : uint8_t { kSum, kMax, kMin, kProd };

// reduce(op, source over axes where condition); condition may be null.
struct ReduceNode : ExprNode {
  static constexpr ExprKind kKind = ExprKind::kReduce;
  ReduceNode(DataType t, ReduceOp o, Expr s, std::vector<IterVar> ax, Expr c)
      : ExprNode(kKind, t), op(o), source(std::move(s)), axes(std::move(ax)), condition(std::move(c)) {}
  const ReduceOp op;
  const Expr source;
  const std::vector<IterVar> axes;
  const Expr condition;
};

// ---- Builders ----
// Builders check operand types and broadcast scalars against vectors; a type
// mismatch is a programming error in an operator definition (CHECK-fails),
// never something user input can reach.

Expr IntImm(DataType t, int64_t value);
Expr FloatImm(DataType t, double value);
Expr MakeConst(DataType t, double value);  // IntImm or FloatImm by type
// `value` as a constant of scalar type t, for values from user data: floats
// rounded (half floats as a cast of the float32 constant), integers
// truncated and saturated at t's range (a bound of -1 for uint8 is 0, not
// 255), NaN as integer 0, bools value != 0.
Expr ConstantOf(DataType t, double value);
Expr Cast(DataType t, Expr value);
Expr Binary(BinaryOp op, Expr a, Expr b);
Expr Not(Expr a);
Expr Select(Expr condition, Expr true_value, Expr false_value);
Expr Ramp(Expr base, Expr stride, int lanes);
Expr Broadcast(Expr value, int lanes);
Expr Call(Intrinsic op, std::vector<Expr> args);
Expr Let(Var var, Expr value, Expr body);
Expr Load(Buffer buffer, Expr index, Expr predicate = Expr());
Expr TensorRead(Tensor tensor, std::vector<Expr> indices);  // in ir/tensor.cc
Expr Reduce(ReduceOp op, Expr source, std::vector<IterVar> axes,
            Expr condition = Expr());

Expr operator+(Expr a, Expr b);
Expr operator-(Expr a, Expr b);
Expr operator*(Expr a, Expr b);
Expr operator/(Expr a, Expr b);  // float division or truncating int division
Expr operator-(Expr a);
Expr operator<(Expr a, Expr b);
Expr operator<=(Expr a, Expr b);
Expr operator>(Expr a, Expr b);
Expr operator>=(Expr a, Expr b);
Expr operator==(Expr a, Expr b);
Expr operator!=(Expr a, Expr b);
// Logical operators are functions, not && || ! overloads: an overloaded `!`
// would turn `if (!expr)` into an IR node instead of a null check.
Expr And(Expr a, Expr b);
Expr Or(Expr a, Expr b);
Expr FloorDiv(Expr a, Expr b);
Expr FloorMod(Expr a, Expr b);
Expr Min(Expr a, Expr b);
Expr Max(Expr a, Expr b);
Expr ShiftLeft(Expr a, Expr b);
Expr ShiftRight(Expr a, Expr b);

// Integer division rounding toward negative infinity, and its remainder
// (with the sign of the divisor): the semantics of FloorDiv and FloorMod.
int64_t FloorDivide(int64_t a, int64_t b);
// x shifted by y (kShl or kShr) as integers of type t hold them (WrapInt).
int64_t Shift(BinaryOp op, DataType t, int64_t x, int64_t y);
int64_t FloorModulo(int64_t a, int64_t b);

// The literal value if `e` is an integer constant.
const int64_t* AsConstInt(const Expr& e);

}  // namespace kiln::ir

#endif  // KILN_IR_EXPR_H_

#include "ir/expr.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace kiln::ir {

Expr::Expr(int value) : Expr(IntImm(DataType::Int64(), value)) {}
Expr::Expr(int64_t value) : Expr(IntImm(DataType::Int64(), value)) {}
Expr::Expr(float value) : Expr(FloatImm(DataType::Float32(), value)) {}
Expr::Expr(double value) : Expr(FloatImm(DataType::Float32(), value)) {}

DataType Expr::dtype() const {
  CHECK(node_) << "dtype() of a null expression";
  return node_->dtype;
}

ExprKind Expr::kind() const {
  CHECK(node_) << "kind() of a null expression";
  return node_->kind;
}

Var::Var(std::string name, DataType dtype)
    : node_(std::make_shared<VarNode>(dtype, std::move(name))) {}

bool IsComparison(BinaryOp op) {
  switch (op) {
    case BinaryOp::kEQ:
    case BinaryOp::kNE:
    case BinaryOp::kLT:
    case BinaryOp::kLE:
    case BinaryOp::kGT:
    case BinaryOp::kGE:
      return true;
    default:
      return false;
  }
}

const char* BinaryOpSymbol(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSub: return "-";
    case BinaryOp::kMul: return "*";
    case BinaryOp::kDiv: return "/";
    case BinaryOp::kFloorDiv: return "floordiv";
    case BinaryOp::kFloorMod: return "floormod";
    case BinaryOp::kMin: return "min";
    case BinaryOp::kMax: return "max";
    case BinaryOp::kEQ: return "==";
    case BinaryOp::kNE: return "!=";
    case BinaryOp::kLT: return "<";
    case BinaryOp::kLE: return "<=";
    case BinaryOp::kGT: return ">";
    case BinaryOp::kGE: return ">=";
    case BinaryOp::kAnd: return "&&";
    case BinaryOp::kOr: return "||";
    case BinaryOp::kShl: return "<<";
    case BinaryOp::kShr: return ">>";
  }
  return "?";
}

const char* IntrinsicName(Intrinsic op) {
  switch (op) {
    case Intrinsic::kExp: return "exp";
    case Intrinsic::kLog: return "log";
    case Intrinsic::kSqrt: return "sqrt";
    case Intrinsic::kTanh: return "tanh";
    case Intrinsic::kSigmoid: return "sigmoid";
    case Intrinsic::kErf: return "erf";
    case Intrinsic::kPow: return "pow";
    case Intrinsic::kAbs: return "abs";
    case Intrinsic::kFloor: return "floor";
    case Intrinsic::kCeil: return "ceil";
    case Intrinsic::kRound: return "round";
    case Intrinsic::kFma: return "fma";
    case Intrinsic::kSin: return "sin";
    case Intrinsic::kCos: return "cos";
    case Intrinsic::kTan: return "tan";
    case Intrinsic::kAsin: return "asin";
    case Intrinsic::kAcos: return "acos";
    case Intrinsic::kAtan: return "atan";
    case Intrinsic::kSinh: return "sinh";
    case Intrinsic::kCosh: return "cosh";
    case Intrinsic::kAsinh: return "asinh";
    case Intrinsic::kAcosh: return "acosh";
    case Intrinsic::kAtanh: return "atanh";
    case Intrinsic::kFmod: return "fmod";
    case Intrinsic::kPrefetch: return "prefetch";
  }
  return "?";
}

Buffer MakeBuffer(std::string name, DataType dtype, std::vector<Expr> shape,
                  MemoryScope scope) {
  CHECK(dtype.is_scalar()) << "buffer " << name << " element type must be scalar";
  auto buffer = std::make_shared<BufferNode>();
  buffer->name = std::move(name);
  buffer->dtype = dtype;
  buffer->shape = std::move(shape);
  buffer->scope = scope;
  return buffer;
}

IterVar MakeIterVar(std::string name, Expr min, Expr extent, IterVarKind kind) {
  auto iv = std::make_shared<IterVarNode>();
  iv->var = Var(std::move(name), DataType::Int64());
  iv->min = std::move(min);
  iv->extent = std::move(extent);
  iv->kind = kind;
  return iv;
}

Expr IntImm(DataType t, int64_t value) {
  CHECK(t.is_scalar() && (t.is_int() || t.is_bool()))
      << "IntImm of type " << t.ToString();
  return Expr(std::make_shared<IntImmNode>(t, WrapInt(t.scalar(), value)));
}

Expr FloatImm(DataType t, double value) {
  CHECK(t.is_scalar() && t.is_float() && !t.is_half_float())
      << "FloatImm of type " << t.ToString();
  if (t.scalar() == ScalarType::kFloat32) value = static_cast<float>(value);
  return Expr(std::make_shared<FloatImmNode>(t, value));
}

Expr MakeConst(DataType t, double value) {
  Expr scalar = t.is_float() ? FloatImm(t.element_of(), value)
                             : IntImm(t.element_of(), static_cast<int64_t>(value));
  return t.is_vector() ? Broadcast(scalar, t.lanes()) : scalar;
}

Expr ConstantOf(DataType t, double value) {
  if (t.is_half_float()) return Cast(t, FloatImm(DataType::Float32(), value));
  if (t.is_float()) return FloatImm(t, value);
  if (t.is_bool()) return IntImm(t, value != 0);
  if (std::isnan(value)) return IntImm(t, 0);
  const int bits = t.bits();
  const double lo = t.is_uint() ? 0.0 : -std::ldexp(1.0, bits - 1);
  const double hi = t.is_uint() ? std::ldexp(1.0, bits) : std::ldexp(1.0, bits - 1);
  value = std::trunc(value);
  if (value < lo) value = lo;
  if (value >= hi) {
    // The largest value, all ones below the sign bit (or all ones).
    const uint64_t ones = t.is_uint() ? ~uint64_t{0} >> (64 - bits) : ~uint64_t{0} >> (65 - bits);
    return IntImm(t, static_cast<int64_t>(ones));
  }
  return IntImm(t, value >= 9223372036854775808.0
                       ? static_cast<int64_t>(static_cast<uint64_t>(value))
                       : static_cast<int64_t>(value));
}

int64_t FloorDivide(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

int64_t FloorModulo(int64_t a, int64_t b) { return a - FloorDivide(a, b) * b; }

const int64_t* AsConstInt(const Expr& e) {
  const auto* imm = e.as<IntImmNode>();
  return imm ? &imm->value : nullptr;
}

namespace {

const double* AsConstFloat(const Expr& e) {
  const auto* imm = e.as<FloatImmNode>();
  return imm ? &imm->value : nullptr;
}

double IntToDouble(ScalarType t, int64_t v) {
  return t == ScalarType::kUInt64 ? static_cast<double>(static_cast<uint64_t>(v))
                                  : static_cast<double>(v);
}

bool IsImmediate(const Expr& e) {
  return e.kind() == ExprKind::kIntImm || e.kind() == ExprKind::kFloatImm;
}

// Converts a literal to another scalar type: literals adopt the type of the
// expression they are combined with, so `x * 2` works for any x.
Expr ConvertLiteral(const Expr& literal, ScalarType to) {
  DataType t(to);
  if (const int64_t* i = AsConstInt(literal)) {
    return t.is_float() ? FloatImm(t, IntToDouble(literal.dtype().scalar(), *i)) : IntImm(t, *i);
  }
  const double v = *AsConstFloat(literal);
  return t.is_float() ? FloatImm(t, v) : IntImm(t, static_cast<int64_t>(v));
}

// Brings two operands to one type: literals convert, scalars broadcast.
void Unify(Expr& a, Expr& b, const char* what) {
  CHECK(a.defined() && b.defined()) << what << ": null operand";
  if (a.dtype().scalar() != b.dtype().scalar()) {
    if (IsImmediate(b)) {
      b = ConvertLiteral(b, a.dtype().scalar());
    } else if (IsImmediate(a)) {
      a = ConvertLiteral(a, b.dtype().scalar());
    }
  }
  CHECK(a.dtype().scalar() == b.dtype().scalar())
      << what << ": operand types differ: " << a.dtype().ToString() << " vs "
      << b.dtype().ToString();
  if (a.dtype().lanes() != b.dtype().lanes()) {
    if (a.dtype().is_scalar()) {
      a = Broadcast(a, b.dtype().lanes());
    } else if (b.dtype().is_scalar()) {
      b = Broadcast(b, a.dtype().lanes());
    }
  }
  CHECK(a.dtype() == b.dtype()) << what << ": lane counts differ: "
                                << a.dtype().ToString() << " vs "
                                << b.dtype().ToString();
}

}  // namespace

int64_t Shift(BinaryOp op, DataType t, int64_t x, int64_t y) {
  // The amount as unsigned: WrapInt keeps unsigned values zero-extended and
  // a negative signed amount is then beyond any width.
  const uint64_t amount = static_cast<uint64_t>(y);
  const bool negative = !t.is_uint() && x < 0;
  if (op == BinaryOp::kShl) {
    return amount >= static_cast<uint64_t>(t.bits())
               ? 0
               : WrapInt(t.scalar(), static_cast<int64_t>(static_cast<uint64_t>(x) << amount));
  }
  if (amount >= static_cast<uint64_t>(t.bits())) return negative ? -1 : 0;
  if (t.is_uint()) return static_cast<int64_t>(static_cast<uint64_t>(x) >> amount);
  return x >> amount;  // arithmetic: x is sign-extended
}

namespace {

// Folds an operation on two integer constants of type t; false when it
// cannot (division by zero, or the one signed quotient that overflows).
// Arithmetic wraps (done unsigned, then wrapped by IntImm).
bool FoldInt(BinaryOp op, DataType t, int64_t x, int64_t y, int64_t* out) {
  const uint64_t ux = static_cast<uint64_t>(x), uy = static_cast<uint64_t>(y);
  const bool u = t.is_uint();
  const bool divides =
      op == BinaryOp::kDiv || op == BinaryOp::kFloorDiv || op == BinaryOp::kFloorMod;
  if (divides && (y == 0 || (!u && x == INT64_MIN && y == -1))) return false;
  switch (op) {
    case BinaryOp::kAdd: *out = static_cast<int64_t>(ux + uy); return true;
    case BinaryOp::kSub: *out = static_cast<int64_t>(ux - uy); return true;
    case BinaryOp::kMul: *out = static_cast<int64_t>(ux * uy); return true;
    case BinaryOp::kDiv:
    case BinaryOp::kFloorDiv:
      if (u) *out = static_cast<int64_t>(ux / uy);
      else *out = op == BinaryOp::kDiv ? x / y : FloorDivide(x, y);
      return true;
    case BinaryOp::kFloorMod:
      *out = u ? static_cast<int64_t>(ux % uy) : FloorModulo(x, y);
      return true;
    case BinaryOp::kMin: *out = u ? (ux < uy ? x : y) : std::min(x, y); return true;
    case BinaryOp::kMax: *out = u ? (ux > uy ? x : y) : std::max(x, y); return true;
    case BinaryOp::kEQ: *out = x == y; return true;
    case BinaryOp::kNE: *out = x != y; return true;
    case BinaryOp::kLT: *out = u ? ux < uy : x < y; return true;
    case BinaryOp::kLE: *out = u ? ux <= uy : x <= y; return true;
    case BinaryOp::kGT: *out = u ? ux > uy : x > y; return true;
    case BinaryOp::kGE: *out = u ? ux >= uy : x >= y; return true;
    case BinaryOp::kAnd: *out = x && y; return true;
    case BinaryOp::kOr: *out = x || y; return true;
    case BinaryOp::kShl:
    case BinaryOp::kShr: *out = Shift(op, t, x, y); return true;
  }
  return false;
}

// In double; FloatImm rounds a float32 result to float.
bool FoldFloat(BinaryOp op, double x, double y, double* out) {
  switch (op) {
    case BinaryOp::kAdd: *out = x + y; return true;
    case BinaryOp::kSub: *out = x - y; return true;
    case BinaryOp::kMul: *out = x * y; return true;
    case BinaryOp::kDiv: *out = x / y; return true;
    case BinaryOp::kMin: *out = std::fmin(x, y); return true;
    case BinaryOp::kMax: *out = std::fmax(x, y); return true;
    default: return false;
  }
}

bool FoldFloatCompare(BinaryOp op, double x, double y, bool* out) {
  switch (op) {
    case BinaryOp::kEQ: *out = x == y; return true;
    case BinaryOp::kNE: *out = x != y; return true;
    case BinaryOp::kLT: *out = x < y; return true;
    case BinaryOp::kLE: *out = x <= y; return true;
    case BinaryOp::kGT: *out = x > y; return true;
    case BinaryOp::kGE: *out = x >= y; return true;
    default: return false;
  }
}

}  // namespace

Expr Cast(DataType t, Expr value) {
  CHECK(value.defined()) << "Cast of a null expression";
  if (value.dtype() == t) return value;
  if (t.lanes() != value.dtype().lanes()) {
    CHECK(value.dtype().is_scalar())
        << "Cast " << value.dtype().ToString() << " to " << t.ToString();
    return Broadcast(Cast(t.element_of(), value), t.lanes());
  }
  // Constants of the storage-only half floats are left to codegen, as are
  // float-to-integer conversions (saturating, as kernels convert).
  if (t.is_scalar() && !t.is_half_float()) {
    if (const int64_t* i = AsConstInt(value)) {
      return t.is_float() ? FloatImm(t, IntToDouble(value.dtype().scalar(), *i)) : IntImm(t, *i);
    }
    if (const double* f = AsConstFloat(value)) {
      if (t.is_float()) return FloatImm(t, *f);
      if (t.is_bool()) return IntImm(t, *f != 0.0);
    }
  }
  return Expr(std::make_shared<CastNode>(t, std::move(value)));
}

Expr Binary(BinaryOp op, Expr a, Expr b) {
  Unify(a, b, BinaryOpSymbol(op));
  const DataType t = a.dtype();
  CHECK(!t.is_half_float()) << BinaryOpSymbol(op) << " on " << t.ToString()
                            << ", a storage type: cast to float32 first";
  const bool logical = op == BinaryOp::kAnd || op == BinaryOp::kOr;
  CHECK(!logical || t.is_bool()) << BinaryOpSymbol(op) << " needs bool operands, got "
                                 << t.ToString();
  CHECK(logical || IsComparison(op) || !t.is_bool())
      << BinaryOpSymbol(op) << " on bool operands";
  CHECK(t.is_int() || (op != BinaryOp::kFloorDiv && op != BinaryOp::kFloorMod &&
                       op != BinaryOp::kShl && op != BinaryOp::kShr))
      << BinaryOpSymbol(op) << " needs integer operands, got " << t.ToString();
  const DataType result = IsComparison(op) ? DataType::Bool(t.lanes()) : t;

  if (t.is_scalar()) {
    const int64_t* ia = AsConstInt(a);
    const int64_t* ib = AsConstInt(b);
    if (ia && ib) {
      int64_t v;
      if (FoldInt(op, t, *ia, *ib, &v)) return IntImm(result, v);
    }
    const double* fa = AsConstFloat(a);
    const double* fb = AsConstFloat(b);
    if (fa && fb) {
      double v;
      bool c;
      if (FoldFloat(op, *fa, *fb, &v)) return FloatImm(t, v);
      if (FoldFloatCompare(op, *fa, *fb, &c)) return IntImm(result, c);
    }
    // Identities that hold exactly for integers (for floats, x*0 is not 0
    // when x is inf or nan, and x+0 changes -0).
    if (t.is_int()) {
      const bool b0 = ib && *ib == 0, b1 = ib && *ib == 1;
      const bool a0 = ia && *ia == 0, a1 = ia && *ia == 1;
      switch (op) {
        case BinaryOp::kAdd:
          if (b0) return a;
          if (a0) return b;
          break;
        case BinaryOp::kSub:
          if (b0) return a;
          break;
        case BinaryOp::kMul:
          if (b1) return a;
          if (a1) return b;
          if (b0) return b;
          if (a0) return a;
          break;
        case BinaryOp::kDiv:
        case BinaryOp::kFloorDiv:
          if (b1) return a;
          break;
        case BinaryOp::kFloorMod:
          if (b1) return IntImm(t, 0);
          break;
        default:
          break;
      }
    }
  }
  return Expr(std::make_shared<BinaryNode>(result, op, std::move(a), std::move(b)));
}

Expr Not(Expr a) {
  CHECK(a.defined() && a.dtype().is_bool()) << "! needs a bool operand";
  if (const int64_t* i = AsConstInt(a)) return IntImm(DataType::Bool(), !*i);
  if (const auto* n = a.as<NotNode>()) return n->a;
  return Expr(std::make_shared<NotNode>(a.dtype(), std::move(a)));
}

Expr Select(Expr condition, Expr true_value, Expr false_value) {
  CHECK(condition.defined() && condition.dtype().is_bool()) << "select needs a bool condition";
  Unify(true_value, false_value, "select");
  if (condition.dtype().lanes() != true_value.dtype().lanes()) {
    if (condition.dtype().is_scalar()) {
      // A scalar condition with vector values stays scalar: one branch for
      // all lanes.
    } else if (true_value.dtype().is_scalar()) {
      true_value = Broadcast(true_value, condition.dtype().lanes());
      false_value = Broadcast(false_value, condition.dtype().lanes());
    }
  }
  CHECK(condition.dtype().is_scalar() ||
        condition.dtype().lanes() == true_value.dtype().lanes())
      << "select: condition " << condition.dtype().ToString() << " vs values "
      << true_value.dtype().ToString();
  if (const int64_t* c = AsConstInt(condition)) return *c ? true_value : false_value;
  DataType t = true_value.dtype();
  return Expr(std::make_shared<SelectNode>(t, std::move(condition),
                                           std::move(true_value),
                                           std::move(false_value)));
}

Expr Ramp(Expr base, Expr stride, int lanes) {
  CHECK_GT(lanes, 1) << "ramp needs at least two lanes";
  Unify(base, stride, "ramp");
  CHECK(base.dtype().is_scalar() && base.dtype().is_int())
      << "ramp of " << base.dtype().ToString();
  DataType t = base.dtype().with_lanes(lanes);
  return Expr(std::make_shared<RampNode>(t, std::move(base), std::move(stride), lanes));
}

Expr Broadcast(Expr value, int lanes) {
  CHECK(value.defined() && value.dtype().is_scalar())
      << "broadcast of a non-scalar " << (value.defined() ? value.dtype().ToString() : "null");
  if (lanes == 1) return value;
  CHECK_GT(lanes, 1);
  DataType t = value.dtype().with_lanes(lanes);
  return Expr(std::make_shared<BroadcastNode>(t, std::move(value), lanes));
}

Expr Call(Intrinsic op, std::vector<Expr> args) {
  const size_t arity = op == Intrinsic::kFma                             ? 3
                       : op == Intrinsic::kPow || op == Intrinsic::kFmod ? 2
                                                                         : 1;
  CHECK_EQ(args.size(), arity) << IntrinsicName(op) << " takes " << arity << " arguments";
  for (size_t i = 1; i < args.size(); ++i) Unify(args[0], args[i], IntrinsicName(op));
  CHECK(op != Intrinsic::kPrefetch || args[0].kind() == ExprKind::kLoad)
      << "prefetch takes a load";
  const DataType t = args[0].dtype();
  CHECK((t.is_float() && !t.is_half_float()) || op == Intrinsic::kAbs ||
        op == Intrinsic::kPrefetch)
      << IntrinsicName(op) << " of " << t.ToString();
  return Expr(std::make_shared<CallNode>(t, op, std::move(args)));
}

Expr Let(Var var, Expr value, Expr body) {
  CHECK(var.defined() && value.defined() && body.defined()) << "Let with a null part";
  CHECK(var.dtype() == value.dtype())
      << "let " << var.name() << ": " << var.dtype().ToString() << " = "
      << value.dtype().ToString();
  DataType t = body.dtype();
  return Expr(std::make_shared<LetNode>(t, std::move(var), std::move(value), std::move(body)));
}

Expr Load(Buffer buffer, Expr index, Expr predicate) {
  CHECK(buffer != nullptr && index.defined()) << "Load with a null part";
  CHECK(index.dtype().is_int()) << "load index of " << index.dtype().ToString();
  const int lanes = index.dtype().lanes();
  if (predicate) {
    CHECK(predicate.dtype() == DataType::Bool(lanes))
        << "load predicate " << predicate.dtype().ToString() << " for " << lanes
        << " lanes";
  }
  DataType t = buffer->dtype.with_lanes(lanes);
  return Expr(std::make_shared<LoadNode>(t, std::move(buffer), std::move(index),
                                         std::move(predicate)));
}

Expr Reduce(ReduceOp op, Expr source, std::vector<IterVar> axes, Expr condition) {
  CHECK(source.defined()) << "Reduce of a null expression";
  CHECK(!condition.defined() || condition.dtype() == DataType::Bool()) << "reduce condition must be bool";
  DataType t = source.dtype();
  return Expr(std::make_shared<ReduceNode>(t, op, std::move(source), std::move(axes),
                                           std::move(condition)));
}

Expr operator+(Expr a, Expr b) { return Binary(BinaryOp::kAdd, std::move(a), std::move(b)); }
Expr operator-(Expr a, Expr b) { return Binary(BinaryOp::kSub, std::move(a), std::move(b)); }
Expr operator*(Expr a, Expr b) { return Binary(BinaryOp::kMul, std::move(a), std::move(b)); }
Expr operator/(Expr a, Expr b) { return Binary(BinaryOp::kDiv, std::move(a), std::move(b)); }
Expr operator-(Expr a) {
  const DataType t = a.dtype();
  return Binary(BinaryOp::kSub, MakeConst(t.element_of(), 0), std::move(a));
}
Expr operator<(Expr a, Expr b) { return Binary(BinaryOp::kLT, std::move(a), std::move(b)); }
Expr operator<=(Expr a, Expr b) { return Binary(BinaryOp::kLE, std::move(a), std::move(b)); }
Expr operator>(Expr a, Expr b) { return Binary(BinaryOp::kGT, std::move(a), std::move(b)); }
Expr operator>=(Expr a, Expr b) { return Binary(BinaryOp::kGE, std::move(a), std::move(b)); }
Expr operator==(Expr a, Expr b) { return Binary(BinaryOp::kEQ, std::move(a), std::move(b)); }
Expr operator!=(Expr a, Expr b) { return Binary(BinaryOp::kNE, std::move(a), std::move(b)); }
Expr And(Expr a, Expr b) { return Binary(BinaryOp::kAnd, std::move(a), std::move(b)); }
Expr Or(Expr a, Expr b) { return Binary(BinaryOp::kOr, std::move(a), std::move(b)); }
Expr ShiftLeft(Expr a, Expr b) { return Binary(BinaryOp::kShl, std::move(a), std::move(b)); }
Expr ShiftRight(Expr a, Expr b) { return Binary(BinaryOp::kShr, std::move(a), std::move(b)); }
Expr FloorDiv(Expr a, Expr b) { return Binary(BinaryOp::kFloorDiv, std::move(a), std::move(b)); }
Expr FloorMod(Expr a, Expr b) { return Binary(BinaryOp::kFloorMod, std::move(a), std::move(b)); }
Expr Min(Expr a, Expr b) { return Binary(BinaryOp::kMin, std::move(a), std::move(b)); }
Expr Max(Expr a, Expr b) { return Binary(BinaryOp::kMax, std::move(a), std::move(b)); }

}  // namespace kiln::ir

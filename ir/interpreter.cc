#include "ir/interpreter.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "ir/printer.h"
#include "runtime/dtype.h"

namespace kiln::ir {
namespace {

// Whether values of `t` live in Value::f: float32 and float64. The storage
// types float16 and bfloat16 are kept as their bits in Value::i, as codegen
// keeps them in i16 registers.
bool InF(DataType t) { return t.is_float() && !t.is_half_float(); }

// One value of any lane count: integers (see WrapInt), bools and half-float
// bits in `i`, floats in `f` (float32 ones rounded to float).
struct Value {
  DataType type;
  std::vector<int64_t> i;
  std::vector<double> f;

  int lanes() const { return type.lanes(); }
};

Value MakeValue(DataType t) {
  Value v;
  v.type = t;
  if (InF(t)) {
    v.f.assign(t.lanes(), 0.0);
  } else {
    v.i.assign(t.lanes(), 0);
  }
  return v;
}

double RoundTo(ScalarType t, double v) {
  return t == ScalarType::kFloat32 ? static_cast<double>(static_cast<float>(v)) : v;
}

// Lane l of `v` as a float: the conversion casts make from any type.
double LaneAsFloat(const Value& v, int l, ScalarType to) {
  const ScalarType t = v.type.scalar();
  if (InF(v.type)) return v.f[l];
  if (t == ScalarType::kFloat16) return runtime::HalfToFloat(static_cast<uint16_t>(v.i[l]));
  if (t == ScalarType::kBFloat16) return runtime::BFloat16ToFloat(static_cast<uint16_t>(v.i[l]));
  // Integers round once, to the target's precision (as sitofp/uitofp do).
  if (to == ScalarType::kFloat32) {
    return v.type.is_uint() ? static_cast<float>(static_cast<uint64_t>(v.i[l]))
                            : static_cast<float>(v.i[l]);
  }
  return v.type.is_uint() ? static_cast<double>(static_cast<uint64_t>(v.i[l]))
                          : static_cast<double>(v.i[l]);
}

// A float converted to integer type t as LLVM's fptosi.sat/fptoui.sat do:
// toward zero, saturating, NaN to 0.
int64_t SaturatingToInt(double v, DataType t) {
  if (std::isnan(v)) return 0;
  if (t.is_uint()) {
    if (v <= 0) return 0;
    const double limit = std::ldexp(1.0, t.bits());
    if (v >= limit) return WrapInt(t.scalar(), -1);
    return static_cast<int64_t>(static_cast<uint64_t>(v));
  }
  const double limit = std::ldexp(1.0, t.bits() - 1);
  if (v >= limit) return WrapInt(t.scalar(), static_cast<int64_t>((~uint64_t{0}) >> (65 - t.bits())));
  if (v < -limit) return WrapInt(t.scalar(), static_cast<int64_t>(uint64_t{1} << (t.bits() - 1)));
  return static_cast<int64_t>(v);
}

template <typename T>
T ApplyIntrinsic(Intrinsic op, T a, T b, T c) {
  switch (op) {
    case Intrinsic::kExp: return std::exp(a);
    case Intrinsic::kLog: return std::log(a);
    case Intrinsic::kSqrt: return std::sqrt(a);
    case Intrinsic::kTanh: return std::tanh(a);
    case Intrinsic::kSigmoid: return T(1) / (T(1) + std::exp(-a));
    case Intrinsic::kErf: return std::erf(a);
    case Intrinsic::kPow: return std::pow(a, b);
    case Intrinsic::kAbs: return std::fabs(a);
    case Intrinsic::kFloor: return std::floor(a);
    case Intrinsic::kCeil: return std::ceil(a);
    case Intrinsic::kRound: return std::nearbyint(a);  // default mode: half to even
    case Intrinsic::kFma: return std::fma(a, b, c);
    case Intrinsic::kSin: return std::sin(a);
    case Intrinsic::kCos: return std::cos(a);
    case Intrinsic::kTan: return std::tan(a);
    case Intrinsic::kAsin: return std::asin(a);
    case Intrinsic::kAcos: return std::acos(a);
    case Intrinsic::kAtan: return std::atan(a);
    case Intrinsic::kSinh: return std::sinh(a);
    case Intrinsic::kCosh: return std::cosh(a);
    case Intrinsic::kAsinh: return std::asinh(a);
    case Intrinsic::kAcosh: return std::acosh(a);
    case Intrinsic::kAtanh: return std::atanh(a);
    case Intrinsic::kFmod: return std::fmod(a, b);
    case Intrinsic::kPrefetch: return T(0);  // handled before its arguments are read
  }
  return T(0);
}

template <typename T>
T Read(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

template <typename T>
void Write(char* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

class Interpreter {
 public:
  absl::Status Run(const LoweredFunc& f, const std::vector<void*>& args) {
    if (args.size() != f.args.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "function ", f.name, " takes ", f.args.size(), " buffers, got ", args.size()));
    }
    for (size_t k = 0; k < args.size(); ++k) {
      if (args[k] == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("buffer ", f.args[k]->name, " is null"));
      }
      memory_[f.args[k].get()] = {static_cast<char*>(args[k]), ConstantSize(*f.args[k])};
    }
    return Exec(f.body);
  }

 private:
  struct Memory {
    char* data;
    std::optional<int64_t> size;  // elements, when the shape is constant
  };

  static std::optional<int64_t> ConstantSize(const BufferNode& b) {
    int64_t n = 1;
    for (const Expr& d : b.shape) {
      const int64_t* c = AsConstInt(d);
      if (!c) return std::nullopt;
      n *= *c;
    }
    return n;
  }

  absl::StatusOr<Memory> Find(const Buffer& b) {
    auto it = memory_.find(b.get());
    if (it == memory_.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat("buffer ", b->name, " is used outside its allocation"));
    }
    return it->second;
  }

  absl::Status CheckIndex(const Buffer& b, const Memory& m, int64_t index) {
    if (index < 0 || (m.size && index >= *m.size)) {
      return absl::OutOfRangeError(absl::StrCat(
          "access to ", b->name, "[", index, "] outside its ",
          m.size ? absl::StrCat(*m.size) : std::string("?"), " elements"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Value> Eval(const Expr& e) {
    switch (e.kind()) {
      case ExprKind::kIntImm: {
        Value v = MakeValue(e.dtype());
        v.i[0] = e.as<IntImmNode>()->value;
        return v;
      }
      case ExprKind::kFloatImm: {
        Value v = MakeValue(e.dtype());
        v.f[0] = RoundTo(e.dtype().scalar(), e.as<FloatImmNode>()->value);
        return v;
      }
      case ExprKind::kVar: {
        auto it = vars_.find(e.as<VarNode>());
        if (it == vars_.end()) {
          return absl::FailedPreconditionError(
              absl::StrCat("variable ", e.as<VarNode>()->name, " is not bound"));
        }
        return it->second;
      }
      case ExprKind::kCast: {
        auto in = Eval(e.as<CastNode>()->value);
        if (!in.ok()) return in.status();
        Value v = MakeValue(e.dtype());
        const ScalarType to = v.type.scalar();
        for (int l = 0; l < v.lanes(); ++l) {
          if (InF(v.type)) {
            v.f[l] = RoundTo(to, LaneAsFloat(*in, l, to));
          } else if (to == ScalarType::kFloat16) {
            v.i[l] = runtime::FloatToHalf(static_cast<float>(LaneAsFloat(*in, l, ScalarType::kFloat32)));
          } else if (to == ScalarType::kBFloat16) {
            v.i[l] = runtime::FloatToBFloat16(
                static_cast<float>(LaneAsFloat(*in, l, ScalarType::kFloat32)));
          } else if (in->type.is_float()) {
            const double x = LaneAsFloat(*in, l, ScalarType::kFloat64);
            v.i[l] = v.type.is_bool() ? x != 0.0 : SaturatingToInt(x, v.type);
          } else {
            v.i[l] = WrapInt(to, in->i[l]);
          }
        }
        return v;
      }
      case ExprKind::kBinary: return EvalBinary(e.as<BinaryNode>());
      case ExprKind::kNot: {
        auto in = Eval(e.as<NotNode>()->a);
        if (!in.ok()) return in.status();
        for (int64_t& x : in->i) x = !x;
        return in;
      }
      case ExprKind::kSelect: {
        const auto* op = e.as<SelectNode>();
        auto c = Eval(op->condition);
        if (!c.ok()) return c.status();
        if (c->lanes() == 1) return Eval(c->i[0] ? op->true_value : op->false_value);
        auto t = Eval(op->true_value);
        if (!t.ok()) return t.status();
        auto f = Eval(op->false_value);
        if (!f.ok()) return f.status();
        Value v = *t;
        for (int l = 0; l < v.lanes(); ++l) {
          if (c->i[l]) continue;
          if (InF(v.type)) v.f[l] = f->f[l]; else v.i[l] = f->i[l];
        }
        return v;
      }
      case ExprKind::kRamp: {
        const auto* op = e.as<RampNode>();
        auto base = Eval(op->base);
        if (!base.ok()) return base.status();
        auto stride = Eval(op->stride);
        if (!stride.ok()) return stride.status();
        Value v = MakeValue(e.dtype());
        for (int l = 0; l < op->lanes; ++l) {
          v.i[l] = WrapInt(v.type.scalar(), base->i[0] + l * stride->i[0]);
        }
        return v;
      }
      case ExprKind::kBroadcast: {
        const auto* op = e.as<BroadcastNode>();
        auto in = Eval(op->value);
        if (!in.ok()) return in.status();
        Value v = MakeValue(e.dtype());
        if (InF(v.type)) v.f.assign(op->lanes, in->f[0]); else v.i.assign(op->lanes, in->i[0]);
        return v;
      }
      case ExprKind::kCall: {
        const auto* op = e.as<CallNode>();
        // A prefetch reads nothing: its address may be past the buffer.
        if (op->op == Intrinsic::kPrefetch) return MakeValue(e.dtype());
        std::vector<Value> args;
        for (const Expr& a : op->args) {
          auto v = Eval(a);
          if (!v.ok()) return v.status();
          args.push_back(*std::move(v));
        }
        Value v = MakeValue(e.dtype());
        for (int l = 0; l < v.lanes(); ++l) {
          if (!InF(v.type)) {  // integer abs (wraps at the minimum)
            const int64_t x = args[0].i[l];
            v.i[l] = v.type.is_uint() || x >= 0
                         ? x
                         : WrapInt(v.type.scalar(),
                                   static_cast<int64_t>(0 - static_cast<uint64_t>(x)));
            continue;
          }
          const double b = args.size() > 1 ? args[1].f[l] : 0.0;
          const double c = args.size() > 2 ? args[2].f[l] : 0.0;
          if (v.type.scalar() == ScalarType::kFloat32) {
            v.f[l] = ApplyIntrinsic<float>(op->op, static_cast<float>(args[0].f[l]),
                                           static_cast<float>(b), static_cast<float>(c));
          } else {
            v.f[l] = ApplyIntrinsic<double>(op->op, args[0].f[l], b, c);
          }
        }
        return v;
      }
      case ExprKind::kLet: {
        const auto* op = e.as<LetNode>();
        auto value = Eval(op->value);
        if (!value.ok()) return value.status();
        vars_[op->var.get()] = *std::move(value);
        auto body = Eval(op->body);
        vars_.erase(op->var.get());
        return body;
      }
      case ExprKind::kLoad: return EvalLoad(e.as<LoadNode>());
      case ExprKind::kTensorRead:
      case ExprKind::kReduce:
        return absl::InvalidArgumentError(absl::StrCat(
            "tensor-level expression left in a lowered function: ", ToString(e)));
    }
    return absl::InternalError("unknown expression kind");
  }

  absl::StatusOr<Value> EvalBinary(const BinaryNode* op) {
    auto a = Eval(op->a);
    if (!a.ok()) return a.status();
    auto b = Eval(op->b);
    if (!b.ok()) return b.status();
    Value v = MakeValue(op->dtype);
    if (a->type.is_half_float()) {
      return absl::InvalidArgumentError(
          absl::StrCat(BinaryOpSymbol(op->op), " on ", a->type.ToString(), ", a storage type"));
    }
    const bool is_float = InF(a->type);
    const ScalarType t = a->type.scalar();  // float32 results round to float
    for (int l = 0; l < v.lanes(); ++l) {
      if (is_float) {
        const double x = a->f[l], y = b->f[l];
        switch (op->op) {
          case BinaryOp::kAdd: v.f[l] = RoundTo(t, x + y); break;
          case BinaryOp::kSub: v.f[l] = RoundTo(t, x - y); break;
          case BinaryOp::kMul: v.f[l] = RoundTo(t, x * y); break;
          case BinaryOp::kDiv: v.f[l] = RoundTo(t, x / y); break;
          case BinaryOp::kMin: v.f[l] = std::fmin(x, y); break;
          case BinaryOp::kMax: v.f[l] = std::fmax(x, y); break;
          case BinaryOp::kEQ: v.i[l] = x == y; break;
          case BinaryOp::kNE: v.i[l] = x != y; break;
          case BinaryOp::kLT: v.i[l] = x < y; break;
          case BinaryOp::kLE: v.i[l] = x <= y; break;
          case BinaryOp::kGT: v.i[l] = x > y; break;
          case BinaryOp::kGE: v.i[l] = x >= y; break;
          default:
            return absl::InvalidArgumentError(
                absl::StrCat(BinaryOpSymbol(op->op), " on floats"));
        }
        continue;
      }
      const int64_t x = a->i[l], y = b->i[l];
      const uint64_t ux = static_cast<uint64_t>(x), uy = static_cast<uint64_t>(y);
      const bool u = a->type.is_uint();
      int64_t r = 0;
      switch (op->op) {
        case BinaryOp::kAdd: r = static_cast<int64_t>(ux + uy); break;
        case BinaryOp::kSub: r = static_cast<int64_t>(ux - uy); break;
        case BinaryOp::kMul: r = static_cast<int64_t>(ux * uy); break;
        // Division by zero is 0, and the one overflowing signed quotient
        // wraps, as kernels compute them (see BinaryOp).
        case BinaryOp::kDiv:
        case BinaryOp::kFloorDiv:
          if (y == 0) r = 0;
          else if (u) r = static_cast<int64_t>(ux / uy);
          else if (y == -1) r = static_cast<int64_t>(0 - ux);
          else r = op->op == BinaryOp::kDiv ? x / y : FloorDivide(x, y);
          break;
        case BinaryOp::kFloorMod:
          if (y == 0 || (!u && y == -1)) r = 0;
          else r = u ? static_cast<int64_t>(ux % uy) : FloorModulo(x, y);
          break;
        case BinaryOp::kMin: r = u ? (ux < uy ? x : y) : std::min(x, y); break;
        case BinaryOp::kMax: r = u ? (ux > uy ? x : y) : std::max(x, y); break;
        case BinaryOp::kEQ: r = x == y; break;
        case BinaryOp::kNE: r = x != y; break;
        case BinaryOp::kLT: r = u ? ux < uy : x < y; break;
        case BinaryOp::kLE: r = u ? ux <= uy : x <= y; break;
        case BinaryOp::kGT: r = u ? ux > uy : x > y; break;
        case BinaryOp::kGE: r = u ? ux >= uy : x >= y; break;
        case BinaryOp::kAnd: r = x && y; break;
        case BinaryOp::kOr: r = x || y; break;
        case BinaryOp::kShl:
        case BinaryOp::kShr: r = Shift(op->op, a->type.element_of(), x, y); break;
      }
      v.i[l] = WrapInt(v.type.scalar(), r);
    }
    return v;
  }

  absl::StatusOr<std::optional<Value>> EvalPredicate(const Expr& predicate) {
    if (!predicate.defined()) return std::optional<Value>();
    auto p = Eval(predicate);
    if (!p.ok()) return p.status();
    return std::optional<Value>(*std::move(p));
  }

  absl::StatusOr<Value> EvalLoad(const LoadNode* op) {
    auto mem = Find(op->buffer);
    if (!mem.ok()) return mem.status();
    auto index = Eval(op->index);
    if (!index.ok()) return index.status();
    auto pred = EvalPredicate(op->predicate);
    if (!pred.ok()) return pred.status();
    Value v = MakeValue(op->dtype);
    const ScalarType t = op->buffer->dtype.scalar();
    for (int l = 0; l < v.lanes(); ++l) {
      if (*pred && !(**pred).i[l]) continue;
      const int64_t k = index->i[l];
      if (auto s = CheckIndex(op->buffer, *mem, k); !s.ok()) return s;
      const char* p = mem->data + k * op->buffer->dtype.bytes();
      switch (t) {
        case ScalarType::kFloat32: v.f[l] = Read<float>(p); break;
        case ScalarType::kFloat64: v.f[l] = Read<double>(p); break;
        case ScalarType::kBool: v.i[l] = *p != 0; break;
        case ScalarType::kInt8: v.i[l] = Read<int8_t>(p); break;
        case ScalarType::kInt16: v.i[l] = Read<int16_t>(p); break;
        case ScalarType::kInt32: v.i[l] = Read<int32_t>(p); break;
        case ScalarType::kInt64: v.i[l] = Read<int64_t>(p); break;
        case ScalarType::kUInt8: v.i[l] = Read<uint8_t>(p); break;
        case ScalarType::kUInt16:
        case ScalarType::kFloat16:
        case ScalarType::kBFloat16: v.i[l] = Read<uint16_t>(p); break;
        case ScalarType::kUInt32: v.i[l] = Read<uint32_t>(p); break;
        case ScalarType::kUInt64: v.i[l] = Read<int64_t>(p); break;
      }
    }
    return v;
  }

  absl::Status ExecStore(const StoreNode* op) {
    auto mem = Find(op->buffer);
    if (!mem.ok()) return mem.status();
    auto value = Eval(op->value);
    if (!value.ok()) return value.status();
    auto index = Eval(op->index);
    if (!index.ok()) return index.status();
    auto pred = EvalPredicate(op->predicate);
    if (!pred.ok()) return pred.status();
    for (int l = 0; l < index->lanes(); ++l) {
      if (*pred && !(**pred).i[l]) continue;
      const int64_t k = index->i[l];
      if (auto s = CheckIndex(op->buffer, *mem, k); !s.ok()) return s;
      char* p = mem->data + k * op->buffer->dtype.bytes();
      const int64_t x = InF(value->type) ? 0 : value->i[l];
      switch (op->buffer->dtype.scalar()) {
        case ScalarType::kFloat32: Write(p, static_cast<float>(value->f[l])); break;
        case ScalarType::kFloat64: Write(p, value->f[l]); break;
        case ScalarType::kBool: *p = x != 0; break;
        case ScalarType::kInt8:
        case ScalarType::kUInt8: Write(p, static_cast<uint8_t>(x)); break;
        case ScalarType::kInt16:
        case ScalarType::kUInt16:
        case ScalarType::kFloat16:
        case ScalarType::kBFloat16: Write(p, static_cast<uint16_t>(x)); break;
        case ScalarType::kInt32:
        case ScalarType::kUInt32: Write(p, static_cast<uint32_t>(x)); break;
        case ScalarType::kInt64:
        case ScalarType::kUInt64: Write(p, x); break;
      }
    }
    return absl::OkStatus();
  }

  absl::Status Exec(const Stmt& s) {
    if (!s.defined()) return absl::OkStatus();
    switch (s.kind()) {
      case StmtKind::kFor: {
        const auto* op = s.as<ForNode>();
        auto min = Eval(op->min);
        if (!min.ok()) return min.status();
        auto extent = Eval(op->extent);
        if (!extent.ok()) return extent.status();
        Value iv = MakeValue(op->var.dtype());
        for (int64_t k = 0; k < extent->i[0]; ++k) {
          iv.i[0] = min->i[0] + k;
          vars_[op->var.get()] = iv;
          if (auto st = Exec(op->body); !st.ok()) return st;
        }
        vars_.erase(op->var.get());
        return absl::OkStatus();
      }
      case StmtKind::kStore: return ExecStore(s.as<StoreNode>());
      case StmtKind::kAllocate: {
        const auto* op = s.as<AllocateNode>();
        int64_t n = 1;
        for (const Expr& d : op->buffer->shape) {
          auto v = Eval(d);
          if (!v.ok()) return v.status();
          n *= v->i[0];
        }
        if (n < 0) {
          return absl::InvalidArgumentError(
              absl::StrCat("allocation of ", op->buffer->name, " with ", n, " elements"));
        }
        // Fill with a pattern so that reading before writing shows up as
        // wrong results instead of lucky zeros.
        auto storage = std::make_unique<char[]>(n * op->buffer->dtype.bytes() + 1);
        std::memset(storage.get(), 0x7f, n * op->buffer->dtype.bytes() + 1);
        memory_[op->buffer.get()] = {storage.get(), n};
        absl::Status st = Exec(op->body);
        memory_.erase(op->buffer.get());
        return st;
      }
      case StmtKind::kIfThenElse: {
        const auto* op = s.as<IfThenElseNode>();
        auto c = Eval(op->condition);
        if (!c.ok()) return c.status();
        return Exec(c->i[0] ? op->then_case : op->else_case);
      }
      case StmtKind::kSeq:
        for (const Stmt& child : s.as<SeqNode>()->stmts) {
          if (auto st = Exec(child); !st.ok()) return st;
        }
        return absl::OkStatus();
      case StmtKind::kLetStmt: {
        const auto* op = s.as<LetStmtNode>();
        auto v = Eval(op->value);
        if (!v.ok()) return v.status();
        vars_[op->var.get()] = *std::move(v);
        absl::Status st = Exec(op->body);
        vars_.erase(op->var.get());
        return st;
      }
      case StmtKind::kEvaluate: return Eval(s.as<EvaluateNode>()->value).status();
    }
    return absl::InternalError("unknown statement kind");
  }

  absl::flat_hash_map<const VarNode*, Value> vars_;
  absl::flat_hash_map<const BufferNode*, Memory> memory_;
};

}  // namespace

absl::Status Interpret(const LoweredFunc& f, const std::vector<void*>& args) {
  return Interpreter().Run(f, args);
}

}  // namespace kiln::ir

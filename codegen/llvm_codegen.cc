#include "codegen/llvm_codegen.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "codegen/target_machine.h"
#include "ir/printer.h"
#include "llvm/Analysis/CGSCCPassManager.h"
#include "llvm/Analysis/LoopAnalysisManager.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/raw_ostream.h"
#include "runtime/backend_api.h"

namespace kiln::codegen {
namespace {

using ir::BinaryOp;
using ir::DataType;
using ir::Expr;
using ir::ExprKind;
using ir::ScalarType;
using ir::Stmt;
using ir::StmtKind;

// Everything a function body needs to resolve names.
struct Scope {
  llvm::Function* function = nullptr;
  llvm::BasicBlock* entry = nullptr;
  llvm::Value* status = nullptr;  // i32 slot: first failure, else 0
  absl::flat_hash_map<const ir::VarNode*, llvm::Value*> vars;
  absl::flat_hash_map<const ir::BufferNode*, llvm::Value*> buffers;
  // When each variable and buffer was first bound. A parallel loop lays out
  // its closure in this order, the same in every compile (the maps iterate
  // in an order of pointer hashes, which made the artifacts of one model
  // differ from compile to compile).
  absl::flat_hash_map<const void*, int64_t> first_bound;

  void Bind(const ir::VarNode* var, llvm::Value* value) {
    vars[var] = value;
    first_bound.try_emplace(var, first_bound.size());
  }
  void Bind(const ir::BufferNode* buffer, llvm::Value* value) {
    buffers[buffer] = value;
    first_bound.try_emplace(buffer, first_bound.size());
  }
  // The keys of `map` in the order they were first bound.
  template <typename Key>
  std::vector<const Key*> InBindingOrder(
      const absl::flat_hash_map<const Key*, llvm::Value*>& map) const {
    std::vector<const Key*> keys;
    for (const auto& [key, value] : map) keys.push_back(key);
    std::sort(keys.begin(), keys.end(), [&](const Key* a, const Key* b) {
      return first_bound.at(a) < first_bound.at(b);
    });
    return keys;
  }
};

class Emitter {
 public:
  Emitter(llvm::Module& module, llvm::LLVMContext& context)
      : module_(module), ctx_(context), b_(context) {
    llvm::FastMathFlags fmf;
    fmf.setAllowContract(true);
    b_.setFastMathFlags(fmf);
    ptr_ = llvm::PointerType::getUnqual(ctx_);
    i32_ = llvm::Type::getInt32Ty(ctx_);
    i64_ = llvm::Type::getInt64Ty(ctx_);
    auto global = [&](const char* name) {
      return new llvm::GlobalVariable(module_, ptr_, false, llvm::GlobalValue::ExternalLinkage,
                                      llvm::ConstantPointerNull::get(ptr_), name);
    };
    launch_ = global(KILN_PARALLEL_LAUNCH_SYMBOL);
    alloc_ = global(KILN_ALLOC_WORKSPACE_SYMBOL);
    free_ = global(KILN_FREE_WORKSPACE_SYMBOL);
  }

  absl::Status EmitFunction(const ir::LoweredFunc& f) {
    // Body: internal, buffers as noalias pointers.
    std::vector<llvm::Type*> params(f.args.size(), ptr_);
    auto* body_type = llvm::FunctionType::get(i32_, params, false);
    auto* body = llvm::Function::Create(body_type, llvm::GlobalValue::InternalLinkage,
                                        f.name + "_compute", module_);
    Scope scope = NewScope(body);
    for (size_t k = 0; k < f.args.size(); ++k) {
      llvm::Argument* arg = body->getArg(k);
      arg->setName(f.args[k]->name);
      arg->addAttr(llvm::Attribute::NoAlias);
      scope.Bind(f.args[k].get(), arg);
    }
    scope_ = &scope;
    EmitStmt(f.body);
    if (!status_.ok()) return status_;
    b_.CreateRet(b_.CreateLoad(i32_, scope.status));

    // The exported wrapper unpacks the argument array.
    auto* wrapper_type = llvm::FunctionType::get(i32_, {ptr_}, false);
    auto* wrapper = llvm::Function::Create(wrapper_type, llvm::GlobalValue::ExternalLinkage,
                                           f.name, module_);
    b_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", wrapper));
    std::vector<llvm::Value*> buffers;
    for (size_t k = 0; k < f.args.size(); ++k) {
      llvm::Value* slot = b_.CreateConstGEP1_64(ptr_, wrapper->getArg(0), k);
      buffers.push_back(b_.CreateLoad(ptr_, slot, f.args[k]->name));
    }
    b_.CreateRet(b_.CreateCall(body, buffers));
    return absl::OkStatus();
  }

 private:
  Scope NewScope(llvm::Function* function) {
    Scope scope;
    scope.function = function;
    scope.entry = llvm::BasicBlock::Create(ctx_, "entry", function);
    b_.SetInsertPoint(scope.entry);
    scope.status = b_.CreateAlloca(i32_, nullptr, "status");
    b_.CreateStore(b_.getInt32(0), scope.status);
    return scope;
  }

  void Fail(std::string message) {
    if (status_.ok()) status_ = absl::InvalidArgumentError(std::move(message));
  }

  llvm::Type* ScalarTy(ScalarType t) {
    switch (t) {
      case ScalarType::kBool: return b_.getInt1Ty();
      case ScalarType::kInt8:
      case ScalarType::kUInt8: return b_.getInt8Ty();
      case ScalarType::kInt16:
      case ScalarType::kUInt16: return b_.getInt16Ty();
      case ScalarType::kInt32:
      case ScalarType::kUInt32: return i32_;
      case ScalarType::kInt64:
      case ScalarType::kUInt64: return i64_;
      // Storage types: their bits, converted by EmitCast (no libcalls, and
      // the same rounding on every CPU).
      case ScalarType::kFloat16:
      case ScalarType::kBFloat16: return b_.getInt16Ty();
      case ScalarType::kFloat32: return b_.getFloatTy();
      case ScalarType::kFloat64: return b_.getDoubleTy();
    }
    return nullptr;
  }
  llvm::Type* Ty(DataType t) {
    llvm::Type* s = ScalarTy(t.scalar());
    return t.is_scalar() ? s : llvm::FixedVectorType::get(s, t.lanes());
  }
  // In memory, bools take a byte.
  llvm::Type* MemTy(DataType t) {
    llvm::Type* s = t.is_bool() ? b_.getInt8Ty() : ScalarTy(t.scalar());
    return t.is_scalar() ? s : llvm::FixedVectorType::get(s, t.lanes());
  }

  llvm::Value* Splat(llvm::Value* v, int lanes) {
    return v->getType()->isVectorTy() ? v : b_.CreateVectorSplat(lanes, v);
  }

  // ---- Expressions ----

  llvm::Value* EmitExpr(const Expr& e) {
    if (!status_.ok()) return llvm::UndefValue::get(Ty(e.dtype()));
    switch (e.kind()) {
      case ExprKind::kIntImm:
        return llvm::ConstantInt::get(Ty(e.dtype()), e.as<ir::IntImmNode>()->value, true);
      case ExprKind::kFloatImm:
        return llvm::ConstantFP::get(Ty(e.dtype()), e.as<ir::FloatImmNode>()->value);
      case ExprKind::kVar: {
        auto it = scope_->vars.find(e.as<ir::VarNode>());
        if (it == scope_->vars.end()) {
          Fail(absl::StrCat("variable ", e.as<ir::VarNode>()->name, " used outside its scope"));
          return llvm::UndefValue::get(Ty(e.dtype()));
        }
        return it->second;
      }
      case ExprKind::kCast: return EmitCast(e.as<ir::CastNode>());
      case ExprKind::kBinary: return EmitBinary(e.as<ir::BinaryNode>());
      case ExprKind::kNot: return b_.CreateNot(EmitExpr(e.as<ir::NotNode>()->a));
      case ExprKind::kSelect: {
        const auto* op = e.as<ir::SelectNode>();
        return b_.CreateSelect(EmitExpr(op->condition), EmitExpr(op->true_value),
                               EmitExpr(op->false_value));
      }
      case ExprKind::kRamp: {
        const auto* op = e.as<ir::RampNode>();
        llvm::Type* elem = ScalarTy(op->dtype.scalar());
        std::vector<llvm::Constant*> steps;
        for (int l = 0; l < op->lanes; ++l) steps.push_back(llvm::ConstantInt::get(elem, l));
        llvm::Value* base = Splat(EmitExpr(op->base), op->lanes);
        llvm::Value* stride = Splat(EmitExpr(op->stride), op->lanes);
        return b_.CreateAdd(base, b_.CreateMul(stride, llvm::ConstantVector::get(steps)));
      }
      case ExprKind::kBroadcast: {
        const auto* op = e.as<ir::BroadcastNode>();
        return b_.CreateVectorSplat(op->lanes, EmitExpr(op->value));
      }
      case ExprKind::kCall: return EmitCall(e.as<ir::CallNode>());
      case ExprKind::kLet: {
        const auto* op = e.as<ir::LetNode>();
        scope_->Bind(op->var.get(), EmitExpr(op->value));
        return EmitExpr(op->body);
      }
      case ExprKind::kLoad: return EmitLoad(e.as<ir::LoadNode>());
      case ExprKind::kTensorRead:
      case ExprKind::kReduce:
        Fail(absl::StrCat("codegen cannot compile tensor-level expression ", ir::ToString(e),
                          "; lower the schedule first"));
        return llvm::UndefValue::get(Ty(e.dtype()));
    }
    return nullptr;
  }

  llvm::Value* EmitCast(const ir::CastNode* op) {
    return Convert(EmitExpr(op->value), op->value.dtype(), op->dtype);
  }

  // Float to integer saturates and sends NaN to 0 (fptosi.sat: plain fptosi
  // is poison out of range); integers extend by their own signedness; the
  // half floats go through float32.
  llvm::Value* Convert(llvm::Value* v, DataType from, DataType to) {
    if (from == to) return v;
    const DataType f32 = DataType::Float32(to.lanes());
    if (from.is_half_float()) {
      return Convert(HalfBitsToFloat(v, from.scalar()), f32, to);
    }
    if (to.is_half_float()) return FloatToHalfBits(Convert(v, from, f32), to.scalar());
    llvm::Type* t = Ty(to);
    if (to.is_bool()) {
      return from.is_float() ? b_.CreateFCmpUNE(v, llvm::Constant::getNullValue(v->getType()))
                             : b_.CreateICmpNE(v, llvm::Constant::getNullValue(v->getType()));
    }
    if (from.is_bool()) return to.is_float() ? b_.CreateUIToFP(v, t) : b_.CreateZExt(v, t);
    if (from.is_float() && to.is_float()) return b_.CreateFPCast(v, t);
    if (from.is_float()) {
      return b_.CreateIntrinsic(to.is_uint() ? llvm::Intrinsic::fptoui_sat
                                             : llvm::Intrinsic::fptosi_sat,
                                {t, v->getType()}, {v});
    }
    if (to.is_float()) return from.is_uint() ? b_.CreateUIToFP(v, t) : b_.CreateSIToFP(v, t);
    return from.is_uint() ? b_.CreateZExtOrTrunc(v, t) : b_.CreateSExtOrTrunc(v, t);
  }

  // An i32 (vector) constant shaped like `like`.
  llvm::Constant* I32(llvm::Value* like, uint32_t v) {
    return llvm::ConstantInt::get(like->getType(), v);
  }

  llvm::Type* WithElement(llvm::Value* like, llvm::Type* element) {
    auto* vt = llvm::dyn_cast<llvm::FixedVectorType>(like->getType());
    return vt ? static_cast<llvm::Type*>(llvm::FixedVectorType::get(element, vt->getNumElements()))
              : element;
  }

  // float16 / bfloat16 bits (i16) to float, exactly.
  llvm::Value* HalfBitsToFloat(llvm::Value* h, ScalarType type) {
    llvm::Type* i32 = WithElement(h, i32_);
    llvm::Type* f32 = WithElement(h, b_.getFloatTy());
    llvm::Value* u = b_.CreateZExt(h, i32);
    if (type == ScalarType::kBFloat16) return b_.CreateBitCast(b_.CreateShl(u, I32(u, 16)), f32);
    llvm::Value* sign = b_.CreateShl(b_.CreateAnd(u, I32(u, 0x8000)), I32(u, 16));
    llvm::Value* exponent = b_.CreateAnd(b_.CreateLShr(u, I32(u, 10)), I32(u, 0x1f));
    llvm::Value* mantissa = b_.CreateShl(b_.CreateAnd(u, I32(u, 0x3ff)), I32(u, 13));
    llvm::Value* normal =
        b_.CreateOr(b_.CreateShl(b_.CreateAdd(exponent, I32(u, 112)), I32(u, 23)), mantissa);
    llvm::Value* special = b_.CreateOr(mantissa, I32(u, 0x7f800000));
    // Subnormals: mantissa * 2^-24, exact in float.
    llvm::Value* tiny = b_.CreateBitCast(
        b_.CreateFMul(b_.CreateUIToFP(b_.CreateAnd(u, I32(u, 0x3ff)), f32),
                      llvm::ConstantFP::get(f32, 5.9604644775390625e-8)),
        i32);
    llvm::Value* magnitude = b_.CreateSelect(
        b_.CreateICmpEQ(exponent, I32(u, 0)), tiny,
        b_.CreateSelect(b_.CreateICmpEQ(exponent, I32(u, 0x1f)), special, normal));
    return b_.CreateBitCast(b_.CreateOr(sign, magnitude), f32);
  }

  // float to float16 / bfloat16 bits, rounding to nearest even (the same
  // arithmetic as runtime::FloatToHalf and FloatToBFloat16).
  llvm::Value* FloatToHalfBits(llvm::Value* x, ScalarType type) {
    llvm::Type* i32 = WithElement(x, i32_);
    llvm::Type* i16 = WithElement(x, b_.getInt16Ty());
    llvm::Value* u = b_.CreateBitCast(x, i32);
    llvm::Value* nan = b_.CreateFCmpUNO(x, x);
    if (type == ScalarType::kBFloat16) {
      llvm::Value* odd = b_.CreateAnd(b_.CreateLShr(u, I32(u, 16)), I32(u, 1));
      llvm::Value* rounded =
          b_.CreateLShr(b_.CreateAdd(b_.CreateAdd(u, I32(u, 0x7fff)), odd), I32(u, 16));
      llvm::Value* quiet = b_.CreateOr(b_.CreateLShr(u, I32(u, 16)), I32(u, 0x40));
      return b_.CreateTrunc(b_.CreateSelect(nan, quiet, rounded), i16);
    }
    llvm::Value* sign = b_.CreateAnd(b_.CreateLShr(u, I32(u, 16)), I32(u, 0x8000));
    llvm::Value* a = b_.CreateAnd(u, I32(u, 0x7fffffff));
    llvm::Value* quiet =
        b_.CreateOr(b_.CreateAnd(b_.CreateLShr(a, I32(u, 13)), I32(u, 0x3ff)), I32(u, 0x7e00));
    llvm::Value* odd = b_.CreateAnd(b_.CreateLShr(a, I32(u, 13)), I32(u, 1));
    llvm::Value* normal =
        b_.CreateLShr(b_.CreateAdd(b_.CreateAdd(a, I32(u, 0xc8000fffu)), odd), I32(u, 13));
    llvm::Type* f32 = x->getType();
    llvm::Value* half = llvm::ConstantFP::get(f32, 0.5);
    llvm::Value* tiny = b_.CreateSub(
        b_.CreateBitCast(b_.CreateFAdd(b_.CreateBitCast(a, f32), half), i32), I32(u, 0x3f000000));
    llvm::Value* magnitude = b_.CreateSelect(
        nan, quiet,
        b_.CreateSelect(b_.CreateICmpUGE(a, I32(u, 0x477ff000)), I32(u, 0x7c00),
                        b_.CreateSelect(b_.CreateICmpULT(a, I32(u, 0x38800000)), tiny, normal)));
    return b_.CreateTrunc(b_.CreateOr(sign, magnitude), i16);
  }

  llvm::Value* EmitBinary(const ir::BinaryNode* op) {
    llvm::Value* a = EmitExpr(op->a);
    llvm::Value* b = EmitExpr(op->b);
    const DataType t = op->a.dtype();
    if (t.is_half_float()) {
      Fail(absl::StrCat(ir::BinaryOpSymbol(op->op), " on ", t.ToString(),
                        ", a storage type: cast to float32 first"));
      return a;
    }
    if (t.is_float()) {
      switch (op->op) {
        case BinaryOp::kAdd: return b_.CreateFAdd(a, b);
        case BinaryOp::kSub: return b_.CreateFSub(a, b);
        case BinaryOp::kMul: return b_.CreateFMul(a, b);
        case BinaryOp::kDiv: return b_.CreateFDiv(a, b);
        case BinaryOp::kMin: return b_.CreateMinNum(a, b);
        case BinaryOp::kMax: return b_.CreateMaxNum(a, b);
        case BinaryOp::kEQ: return b_.CreateFCmpOEQ(a, b);
        case BinaryOp::kNE: return b_.CreateFCmpUNE(a, b);
        case BinaryOp::kLT: return b_.CreateFCmpOLT(a, b);
        case BinaryOp::kLE: return b_.CreateFCmpOLE(a, b);
        case BinaryOp::kGT: return b_.CreateFCmpOGT(a, b);
        case BinaryOp::kGE: return b_.CreateFCmpOGE(a, b);
        default:
          Fail(absl::StrCat(ir::BinaryOpSymbol(op->op), " on float operands"));
          return a;
      }
    }
    const bool u = t.is_uint();
    switch (op->op) {
      case BinaryOp::kAdd: return b_.CreateAdd(a, b);
      case BinaryOp::kSub: return b_.CreateSub(a, b);
      case BinaryOp::kMul: return b_.CreateMul(a, b);
      case BinaryOp::kDiv:
      case BinaryOp::kFloorDiv:
      case BinaryOp::kFloorMod: return EmitIntDivision(op->op, u, op->b, a, b);
      case BinaryOp::kMin:
        return b_.CreateBinaryIntrinsic(u ? llvm::Intrinsic::umin : llvm::Intrinsic::smin, a, b);
      case BinaryOp::kMax:
        return b_.CreateBinaryIntrinsic(u ? llvm::Intrinsic::umax : llvm::Intrinsic::smax, a, b);
      case BinaryOp::kEQ: return b_.CreateICmpEQ(a, b);
      case BinaryOp::kNE: return b_.CreateICmpNE(a, b);
      case BinaryOp::kLT: return u ? b_.CreateICmpULT(a, b) : b_.CreateICmpSLT(a, b);
      case BinaryOp::kLE: return u ? b_.CreateICmpULE(a, b) : b_.CreateICmpSLE(a, b);
      case BinaryOp::kGT: return u ? b_.CreateICmpUGT(a, b) : b_.CreateICmpSGT(a, b);
      case BinaryOp::kGE: return u ? b_.CreateICmpUGE(a, b) : b_.CreateICmpSGE(a, b);
      case BinaryOp::kAnd: return b_.CreateAnd(a, b);
      case BinaryOp::kOr: return b_.CreateOr(a, b);
      case BinaryOp::kShl:
      case BinaryOp::kShr: {
        // LLVM's shifts by the width or more are poison: the amount is
        // clamped and the result chosen as BinaryOp documents.
        llvm::Type* ty = a->getType();
        llvm::Value* width = llvm::ConstantInt::get(ty, ty->getScalarSizeInBits());
        llvm::Value* beyond = b_.CreateICmpUGE(b, width);
        llvm::Value* last = llvm::ConstantInt::get(ty, ty->getScalarSizeInBits() - 1);
        llvm::Value* amount = b_.CreateSelect(beyond, last, b);
        llvm::Value* zero = llvm::Constant::getNullValue(ty);
        if (op->op == BinaryOp::kShl) return b_.CreateSelect(beyond, zero, b_.CreateShl(a, amount));
        if (u) return b_.CreateSelect(beyond, zero, b_.CreateLShr(a, amount));
        return b_.CreateAShr(a, amount);  // by width - 1: the sign, as documented
      }
    }
    return a;
  }

  // Integer division (truncating), floor division and floor modulo. By a
  // positive power of two they are a shift and a mask, which is what
  // split/fuse indices mostly need. A divisor not known to be safe is
  // guarded: x86 traps on division by zero and on the signed MIN / -1, and
  // kernels divide user data, so by zero the result is 0 and MIN / -1 wraps
  // (the semantics BinaryOp documents, and the interpreter's).
  llvm::Value* EmitIntDivision(BinaryOp op, bool is_unsigned, const Expr& divisor,
                               llvm::Value* a, llvm::Value* b) {
    const int64_t* c = ir::AsConstInt(divisor);
    if (!c) {
      if (const auto* bc = divisor.as<ir::BroadcastNode>()) c = ir::AsConstInt(bc->value);
    }
    llvm::Type* t = a->getType();
    if (op != BinaryOp::kDiv && c && *c > 0 && (*c & (*c - 1)) == 0) {
      int shift = 0;
      while ((int64_t{1} << shift) < *c) ++shift;
      if (op == BinaryOp::kFloorDiv) {
        return is_unsigned ? b_.CreateLShr(a, llvm::ConstantInt::get(t, shift))
                           : b_.CreateAShr(a, llvm::ConstantInt::get(t, shift));
      }
      return b_.CreateAnd(a, llvm::ConstantInt::get(t, *c - 1));
    }
    llvm::Value* zero = llvm::Constant::getNullValue(t);
    llvm::Value* by_zero = nullptr;
    if (!c || *c == 0 || (*c == -1 && !is_unsigned)) {
      by_zero = b_.CreateICmpEQ(b, zero);
      llvm::Value* unsafe = by_zero;
      if (!is_unsigned) {
        const unsigned bits = t->getScalarSizeInBits();
        llvm::Value* overflow = b_.CreateAnd(
            b_.CreateICmpEQ(a, llvm::ConstantInt::get(t, llvm::APInt::getSignedMinValue(bits))),
            b_.CreateICmpEQ(b, llvm::Constant::getAllOnesValue(t)));
        unsafe = b_.CreateOr(unsafe, overflow);
      }
      b = b_.CreateSelect(unsafe, llvm::ConstantInt::get(t, 1), b);
    }
    auto guarded = [&](llvm::Value* v) {
      return by_zero ? b_.CreateSelect(by_zero, zero, v) : v;
    };
    if (is_unsigned) {
      return guarded(op == BinaryOp::kFloorMod ? b_.CreateURem(a, b) : b_.CreateUDiv(a, b));
    }
    llvm::Value* q = b_.CreateSDiv(a, b);
    if (op == BinaryOp::kDiv) return guarded(q);
    llvm::Value* r = b_.CreateSRem(a, b);
    // The remainder's sign differs from the divisor's: round q down.
    llvm::Value* adjust = b_.CreateAnd(b_.CreateICmpNE(r, zero),
                                       b_.CreateICmpNE(b_.CreateICmpSLT(r, zero),
                                                       b_.CreateICmpSLT(b, zero)));
    if (op == BinaryOp::kFloorDiv) return guarded(b_.CreateSub(q, b_.CreateZExt(adjust, t)));
    return guarded(b_.CreateSelect(adjust, b_.CreateAdd(r, b), r));
  }

  llvm::Value* EmitCall(const ir::CallNode* op) {
    if (op->op == ir::Intrinsic::kPrefetch) return EmitPrefetch(op);
    std::vector<llvm::Value*> args;
    for (const Expr& a : op->args) args.push_back(EmitExpr(a));
    llvm::Type* t = args[0]->getType();
    auto unary = [&](llvm::Intrinsic::ID id) {
      return b_.CreateUnaryIntrinsic(id, args[0]);
    };
    switch (op->op) {
      case ir::Intrinsic::kExp: return Exp(args[0]);
      case ir::Intrinsic::kLog: return unary(llvm::Intrinsic::log);
      case ir::Intrinsic::kSqrt: return unary(llvm::Intrinsic::sqrt);
      case ir::Intrinsic::kFloor: return unary(llvm::Intrinsic::floor);
      case ir::Intrinsic::kCeil: return unary(llvm::Intrinsic::ceil);
      case ir::Intrinsic::kRound: return unary(llvm::Intrinsic::roundeven);
      case ir::Intrinsic::kAbs:
        if (op->dtype.is_float()) return unary(llvm::Intrinsic::fabs);
        if (op->dtype.is_uint()) return args[0];
        return b_.CreateBinaryIntrinsic(llvm::Intrinsic::abs, args[0], b_.getFalse());
      case ir::Intrinsic::kPow:
        return b_.CreateBinaryIntrinsic(llvm::Intrinsic::pow, args[0], args[1]);
      case ir::Intrinsic::kFma:
        return b_.CreateIntrinsic(llvm::Intrinsic::fma, {t}, args);
      case ir::Intrinsic::kSigmoid: {
        llvm::Value* one = llvm::ConstantFP::get(t, 1.0);
        return b_.CreateFDiv(one, b_.CreateFAdd(one, Exp(b_.CreateFNeg(args[0]))));
      }
      case ir::Intrinsic::kTanh: return Tanh(args[0]);
      case ir::Intrinsic::kErf: return Erf(args[0]);
      case ir::Intrinsic::kSin: return unary(llvm::Intrinsic::sin);
      case ir::Intrinsic::kCos: return unary(llvm::Intrinsic::cos);
      // LLVM 19 has no intrinsics for these (and would call libm per lane
      // for the ones it has): libm per lane keeps them exact.
      case ir::Intrinsic::kTan: return PerLaneLibm("tan", args[0]);
      case ir::Intrinsic::kAsin: return PerLaneLibm("asin", args[0]);
      case ir::Intrinsic::kAcos: return PerLaneLibm("acos", args[0]);
      case ir::Intrinsic::kAtan: return PerLaneLibm("atan", args[0]);
      case ir::Intrinsic::kSinh: return PerLaneLibm("sinh", args[0]);
      case ir::Intrinsic::kCosh: return PerLaneLibm("cosh", args[0]);
      case ir::Intrinsic::kAsinh: return PerLaneLibm("asinh", args[0]);
      case ir::Intrinsic::kAcosh: return PerLaneLibm("acosh", args[0]);
      case ir::Intrinsic::kAtanh: return PerLaneLibm("atanh", args[0]);
      case ir::Intrinsic::kFmod: return b_.CreateFRem(args[0], args[1]);
      case ir::Intrinsic::kPrefetch: break;  // EmitPrefetch, above
    }
    return args[0];
  }

  // a * b + c, rounded once.
  llvm::Value* Fma(llvm::Value* a, llvm::Value* b, llvm::Value* c) {
    return b_.CreateIntrinsic(llvm::Intrinsic::fma, {a->getType()}, {a, b, c});
  }

  // exp(x). Scalars call libm; vectors use an inline approximation so that
  // they stay vectors (LLVM would call expf once per lane): x = n ln2 + r
  // with |r| <= ln2 / 2, exp(r) by a degree-6 polynomial, and 2^n put into
  // the exponent field. Max relative error ~2 ulp over the normal range;
  // results that would be subnormal flush to 0, overflow gives +inf, NaN
  // stays NaN.
  llvm::Value* Exp(llvm::Value* x) {
    auto* vt = llvm::dyn_cast<llvm::FixedVectorType>(x->getType());
    if (!vt) return b_.CreateUnaryIntrinsic(llvm::Intrinsic::exp, x);
    // The approximation is float's: float64 keeps libm's precision.
    if (x->getType()->getScalarType()->isDoubleTy()) return PerLaneLibm("exp", x);
    const unsigned lanes = vt->getNumElements();
    auto f = [&](double v) { return llvm::ConstantFP::get(vt, v); };
    llvm::Value* clamped = b_.CreateMaxNum(b_.CreateMinNum(x, f(88.7228391117)),
                                           f(-87.3365447504));
    llvm::Value* n = b_.CreateUnaryIntrinsic(llvm::Intrinsic::roundeven,
                                             b_.CreateFMul(clamped, f(1.44269504088896341)));
    // r = x - n * ln2, with ln2 split in two for precision.
    llvm::Value* r = Fma(n, f(-0.693359375), clamped);
    r = Fma(n, f(2.12194440e-4), r);
    const double coefficients[] = {1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3,
                                   4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1};
    llvm::Value* p = f(coefficients[0]);
    for (int k = 1; k < 6; ++k) {
      p = Fma(p, r, f(coefficients[k]));
    }
    llvm::Value* r2 = b_.CreateFMul(r, r);
    p = Fma(p, r2, b_.CreateFAdd(r, f(1.0)));
    // 2^n as 2^n1 * 2^n2 with both halves in [-64, 64], so that each factor
    // is a normal float even where 2^n alone would not be (n = 128).
    auto* ivt = llvm::FixedVectorType::get(i32_, lanes);
    auto pow2 = [&](llvm::Value* e) {
      llvm::Value* biased = b_.CreateAdd(e, llvm::ConstantInt::get(ivt, 127));
      return b_.CreateBitCast(b_.CreateShl(biased, llvm::ConstantInt::get(ivt, 23)), vt);
    };
    llvm::Value* ni = b_.CreateFPToSI(n, ivt);
    llvm::Value* n1 = b_.CreateAShr(ni, llvm::ConstantInt::get(ivt, 1));
    llvm::Value* n2 = b_.CreateSub(ni, n1);
    llvm::Value* result = b_.CreateFMul(b_.CreateFMul(p, pow2(n1)), pow2(n2));
    result = b_.CreateSelect(b_.CreateFCmpOGT(x, f(88.7228391117)),
                             f(std::numeric_limits<float>::infinity()), result);
    result = b_.CreateSelect(b_.CreateFCmpOLT(x, f(-87.3365447504)), f(0.0), result);
    return b_.CreateSelect(b_.CreateFCmpUNO(x, x), x, result);
  }

  // tanh(x) for vectors as an odd rational function of x (degree 13 over
  // degree 6 in x^2), exact to a few ulp on [-7.9, 7.9], where tanh
  // reaches +-1 in float; below 4e-4 tanh(x) is x to float precision.
  // Scalars call libm.
  llvm::Value* Tanh(llvm::Value* x) {
    auto* vt = llvm::dyn_cast<llvm::FixedVectorType>(x->getType());
    if (!vt || x->getType()->getScalarType()->isDoubleTy()) return PerLaneLibm("tanh", x);
    auto f = [&](double v) { return llvm::ConstantFP::get(vt, v); };
    constexpr double kBound = 7.90531110763549805;
    llvm::Value* xc = b_.CreateMaxNum(b_.CreateMinNum(x, f(kBound)), f(-kBound));
    llvm::Value* x2 = b_.CreateFMul(xc, xc);
    const double alpha[] = {-2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11,
                            5.12229709037114e-08,  1.48572235717979e-05, 6.37261928875436e-04,
                            4.89352455891786e-03};
    const double beta[] = {1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03,
                           4.89352518554385e-03};
    llvm::Value* p = f(alpha[0]);
    for (int k = 1; k < 7; ++k) p = Fma(p, x2, f(alpha[k]));
    llvm::Value* q = f(beta[0]);
    for (int k = 1; k < 4; ++k) q = Fma(q, x2, f(beta[k]));
    llvm::Value* result = b_.CreateFDiv(b_.CreateFMul(p, xc), q);
    llvm::Value* tiny = b_.CreateFCmpOLT(b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, x),
                                         f(4e-4));
    result = b_.CreateSelect(tiny, x, result);
    return b_.CreateSelect(b_.CreateFCmpUNO(x, x), x, result);
  }

  // erf(x) for vectors as an odd rational function, x P(x^2) / Q(x^2) with
  // both of degree 5 in x^2, fitted to erf's relative error on [0, 3.92]
  // (below 2e-8 in exact arithmetic, ~5 ulp evaluated in float); beyond
  // 3.92 erf rounds to +-1 in float. One division and no exp: GELU's erf
  // sits in convolution and GEMM epilogues, where exp's range reduction and
  // a second branch near 0 cost more than the kernel's own FMAs.
  // Scalars call libm.
  llvm::Value* Erf(llvm::Value* x) {
    auto* vt = llvm::dyn_cast<llvm::FixedVectorType>(x->getType());
    if (!vt || x->getType()->getScalarType()->isDoubleTy()) return PerLaneLibm("erf", x);
    auto f = [&](double v) { return llvm::ConstantFP::get(vt, v); };
    constexpr double kBound = 3.92;
    llvm::Value* xc = b_.CreateMaxNum(b_.CreateMinNum(x, f(kBound)), f(-kBound));
    llvm::Value* x2 = b_.CreateFMul(xc, xc);
    const double p[] = {2.0499869794296724e-06, 2.8485277281668314e-04, 3.7649562614205717e-03,
                        5.2746588121600775e-02, 1.9039316821055946e-01, 1.1283791463703214};
    const double q[] = {3.8089113867121306e-05, 1.1623480293177335e-03, 1.4967888836890297e-02,
                        1.1410327752892906e-01, 5.0206429671205040e-01, 1.0};
    llvm::Value* num = f(p[0]);
    llvm::Value* den = f(q[0]);
    for (int k = 1; k < 6; ++k) {
      num = Fma(num, x2, f(p[k]));
      den = Fma(den, x2, f(q[k]));
    }
    llvm::Value* result = b_.CreateFDiv(b_.CreateFMul(num, xc), den);
    // Rounding may overshoot 1 by an ulp near the bound; erf never does.
    result = b_.CreateMaxNum(b_.CreateMinNum(result, f(1.0)), f(-1.0));
    return b_.CreateSelect(b_.CreateFCmpUNO(x, x), x, result);
  }

  // Calls libm's `name` (double) or `name`f (float) on each lane.
  llvm::Value* PerLaneLibm(const char* name, llvm::Value* x) {
    llvm::Type* f = x->getType()->getScalarType();
    const std::string symbol = f->isDoubleTy() ? std::string(name) : absl::StrCat(name, "f");
    llvm::FunctionCallee callee =
        module_.getOrInsertFunction(symbol, llvm::FunctionType::get(f, {f}, false));
    auto* vt = llvm::dyn_cast<llvm::FixedVectorType>(x->getType());
    if (!vt) return b_.CreateCall(callee, {x});
    llvm::Value* out = llvm::UndefValue::get(vt);
    for (unsigned l = 0; l < vt->getNumElements(); ++l) {
      llvm::Value* lane = b_.CreateCall(callee, {b_.CreateExtractElement(x, l)});
      out = b_.CreateInsertElement(out, lane, l);
    }
    return out;
  }

  llvm::Value* BufferBase(const ir::Buffer& buffer) {
    auto it = scope_->buffers.find(buffer.get());
    if (it == scope_->buffers.end()) {
      Fail(absl::StrCat("buffer ", buffer->name, " used outside its allocation"));
      return llvm::ConstantPointerNull::get(ptr_);
    }
    return it->second;
  }

  // A contiguous vector access: index ramp(base, 1, lanes).
  const ir::RampNode* Contiguous(const Expr& index) {
    const auto* ramp = index.as<ir::RampNode>();
    if (!ramp) return nullptr;
    const int64_t* stride = ir::AsConstInt(ramp->stride);
    return stride && *stride == 1 ? ramp : nullptr;
  }

  // A read prefetch of the first element the load would read, into all cache
  // levels; the load itself is not emitted.
  llvm::Value* EmitPrefetch(const ir::CallNode* op) {
    const auto* load = op->args[0].as<ir::LoadNode>();
    const auto* ramp = load->index.as<ir::RampNode>();
    llvm::Value* index = EmitExpr(ramp != nullptr ? ramp->base : load->index);
    llvm::Value* p = b_.CreateGEP(MemTy(load->buffer->dtype), BufferBase(load->buffer), index);
    b_.CreateIntrinsic(llvm::Intrinsic::prefetch, {p->getType()},
                       {p, b_.getInt32(0), b_.getInt32(3), b_.getInt32(1)});
    return llvm::Constant::getNullValue(Ty(op->dtype));
  }

  llvm::Value* EmitLoad(const ir::LoadNode* op) {
    llvm::Value* base = BufferBase(op->buffer);
    const DataType elem = op->buffer->dtype;
    const llvm::Align align(elem.bytes());
    llvm::Type* mem = MemTy(op->dtype);
    llvm::Value* v;
    llvm::Value* mask = op->predicate.defined() ? EmitExpr(op->predicate) : nullptr;
    if (op->dtype.is_scalar()) {
      llvm::Value* p = b_.CreateInBoundsGEP(MemTy(elem), base, EmitExpr(op->index));
      v = b_.CreateAlignedLoad(mem, p, align);
    } else if (const auto* ramp = Contiguous(op->index)) {
      llvm::Value* p = b_.CreateInBoundsGEP(MemTy(elem), base, EmitExpr(ramp->base));
      if (mask) {
        v = b_.CreateMaskedLoad(mem, p, align, mask, llvm::Constant::getNullValue(mem));
      } else {
        v = b_.CreateAlignedLoad(mem, p, align);
      }
    } else {
      llvm::Value* ptrs = b_.CreateGEP(MemTy(elem), base, EmitExpr(op->index));
      v = b_.CreateMaskedGather(mem, ptrs, align, mask, llvm::Constant::getNullValue(mem));
    }
    return elem.is_bool() ? b_.CreateTrunc(v, Ty(op->dtype)) : v;
  }

  // ---- Statements ----

  void EmitStmt(const Stmt& s) {
    if (!s.defined() || !status_.ok()) return;
    switch (s.kind()) {
      case StmtKind::kFor: {
        const auto* op = s.as<ir::ForNode>();
        if (op->for_kind == ir::ForKind::kParallel) {
          EmitParallelFor(op);
        } else {
          EmitSerialFor(op);
        }
        return;
      }
      case StmtKind::kStore: EmitStore(s.as<ir::StoreNode>()); return;
      case StmtKind::kAllocate: EmitAllocate(s.as<ir::AllocateNode>()); return;
      case StmtKind::kIfThenElse: {
        const auto* op = s.as<ir::IfThenElseNode>();
        llvm::Value* c = EmitExpr(op->condition);
        auto* then_bb = llvm::BasicBlock::Create(ctx_, "then", scope_->function);
        auto* else_bb = llvm::BasicBlock::Create(ctx_, "else", scope_->function);
        auto* done = llvm::BasicBlock::Create(ctx_, "endif", scope_->function);
        b_.CreateCondBr(c, then_bb, else_bb);
        b_.SetInsertPoint(then_bb);
        EmitStmt(op->then_case);
        b_.CreateBr(done);
        b_.SetInsertPoint(else_bb);
        EmitStmt(op->else_case);
        b_.CreateBr(done);
        b_.SetInsertPoint(done);
        return;
      }
      case StmtKind::kSeq:
        for (const Stmt& child : s.as<ir::SeqNode>()->stmts) EmitStmt(child);
        return;
      case StmtKind::kLetStmt: {
        const auto* op = s.as<ir::LetStmtNode>();
        scope_->Bind(op->var.get(), EmitExpr(op->value));
        EmitStmt(op->body);
        scope_->vars.erase(op->var.get());
        return;
      }
      case StmtKind::kEvaluate: EmitExpr(s.as<ir::EvaluateNode>()->value); return;
    }
  }

  void EmitStore(const ir::StoreNode* op) {
    llvm::Value* base = BufferBase(op->buffer);
    const DataType elem = op->buffer->dtype;
    const llvm::Align align(elem.bytes());
    llvm::Value* value = EmitExpr(op->value);
    if (elem.is_bool()) value = b_.CreateZExt(value, MemTy(op->value.dtype()));
    llvm::Value* mask = op->predicate.defined() ? EmitExpr(op->predicate) : nullptr;
    if (op->index.dtype().is_scalar()) {
      llvm::Value* p = b_.CreateInBoundsGEP(MemTy(elem), base, EmitExpr(op->index));
      b_.CreateAlignedStore(value, p, align);
    } else if (const auto* ramp = Contiguous(op->index)) {
      llvm::Value* p = b_.CreateInBoundsGEP(MemTy(elem), base, EmitExpr(ramp->base));
      if (mask) {
        b_.CreateMaskedStore(value, p, align, mask);
      } else {
        b_.CreateAlignedStore(value, p, align);
      }
    } else {
      llvm::Value* ptrs = b_.CreateGEP(MemTy(elem), base, EmitExpr(op->index));
      b_.CreateMaskedScatter(value, ptrs, align, mask);
    }
  }

  void EmitSerialFor(const ir::ForNode* op) {
    llvm::Value* min = EmitExpr(op->min);
    llvm::Value* end = b_.CreateAdd(min, EmitExpr(op->extent));
    llvm::BasicBlock* pre = b_.GetInsertBlock();
    auto* header = llvm::BasicBlock::Create(ctx_, op->var.name() + ".header", scope_->function);
    auto* body = llvm::BasicBlock::Create(ctx_, op->var.name() + ".body", scope_->function);
    auto* exit = llvm::BasicBlock::Create(ctx_, op->var.name() + ".exit", scope_->function);
    b_.CreateBr(header);
    b_.SetInsertPoint(header);
    llvm::PHINode* iv = b_.CreatePHI(min->getType(), 2, op->var.name());
    iv->addIncoming(min, pre);
    b_.CreateCondBr(b_.CreateICmpSLT(iv, end), body, exit);
    b_.SetInsertPoint(body);
    scope_->Bind(op->var.get(), iv);
    EmitStmt(op->body);
    // Out of scope past the loop: a parallel loop after it must not capture
    // a value whose definition does not dominate it.
    scope_->vars.erase(op->var.get());
    llvm::Value* next = b_.CreateAdd(iv, llvm::ConstantInt::get(iv->getType(), 1), "", true,
                                     true);
    iv->addIncoming(next, b_.GetInsertBlock());
    b_.CreateBr(header);
    b_.SetInsertPoint(exit);
  }

  // The body becomes `i32 task(i64 task_id, i64 num_tasks, ptr closure)`; the
  // closure carries every variable and buffer in scope.
  void EmitParallelFor(const ir::ForNode* op) {
    llvm::Value* min = EmitExpr(op->min);
    llvm::Value* extent = b_.CreateSExtOrTrunc(EmitExpr(op->extent), i64_);

    const std::vector<const ir::VarNode*> var_keys = scope_->InBindingOrder(scope_->vars);
    const std::vector<const ir::BufferNode*> buffer_keys =
        scope_->InBindingOrder(scope_->buffers);
    std::vector<llvm::Type*> fields = {min->getType()};
    for (const ir::VarNode* var : var_keys) fields.push_back(scope_->vars.at(var)->getType());
    fields.insert(fields.end(), buffer_keys.size(), ptr_);
    llvm::StructType* closure_type = llvm::StructType::get(ctx_, fields);
    llvm::Value* closure = CreateEntryAlloca(closure_type, 1, "closure");
    auto field = [&](llvm::IRBuilder<>& builder, llvm::Value* base, unsigned k) {
      return builder.CreateStructGEP(closure_type, base, k);
    };
    b_.CreateStore(min, field(b_, closure, 0));
    for (size_t k = 0; k < var_keys.size(); ++k) {
      b_.CreateStore(scope_->vars[var_keys[k]], field(b_, closure, 1 + k));
    }
    for (size_t k = 0; k < buffer_keys.size(); ++k) {
      b_.CreateStore(scope_->buffers[buffer_keys[k]],
                     field(b_, closure, 1 + var_keys.size() + k));
    }

    auto* task_type = llvm::FunctionType::get(i32_, {i64_, i64_, ptr_}, false);
    auto* task = llvm::Function::Create(
        task_type, llvm::GlobalValue::InternalLinkage,
        absl::StrCat(scope_->function->getName().str(), ".", op->var.name(), ".task"), module_);
    llvm::BasicBlock* resume = b_.GetInsertBlock();
    Scope* outer = scope_;
    {
      Scope inner = NewScope(task);
      llvm::Value* arg = task->getArg(2);
      llvm::Value* task_min = b_.CreateLoad(fields[0], field(b_, arg, 0));
      for (size_t k = 0; k < var_keys.size(); ++k) {
        inner.Bind(var_keys[k], b_.CreateLoad(fields[1 + k], field(b_, arg, 1 + k)));
      }
      for (size_t k = 0; k < buffer_keys.size(); ++k) {
        inner.Bind(buffer_keys[k], b_.CreateLoad(ptr_, field(b_, arg, 1 + var_keys.size() + k)));
      }
      llvm::Value* id = b_.CreateSExtOrTrunc(task->getArg(0), task_min->getType());
      inner.Bind(op->var.get(), b_.CreateAdd(task_min, id));
      scope_ = &inner;
      EmitStmt(op->body);
      b_.CreateRet(b_.CreateLoad(i32_, inner.status));
      scope_ = outer;
    }
    b_.SetInsertPoint(resume);
    llvm::Value* launch = b_.CreateLoad(ptr_, launch_);
    auto* launch_type = llvm::FunctionType::get(i32_, {ptr_, ptr_, i64_}, false);
    llvm::Value* rc = b_.CreateCall(launch_type, launch, {task, closure, extent});
    RecordFailure(rc);
  }

  // Keeps the first non-zero code in the function's status slot.
  void RecordFailure(llvm::Value* rc) {
    llvm::Value* old = b_.CreateLoad(i32_, scope_->status);
    llvm::Value* keep = b_.CreateICmpNE(old, b_.getInt32(0));
    b_.CreateStore(b_.CreateSelect(keep, old, rc), scope_->status);
  }

  llvm::Value* CreateEntryAlloca(llvm::Type* type, uint64_t count, const std::string& name) {
    llvm::IRBuilder<> entry(scope_->entry, scope_->entry->getFirstInsertionPt());
    llvm::AllocaInst* a = entry.CreateAlloca(type, entry.getInt64(count), name);
    a->setAlignment(llvm::Align(64));
    return a;
  }

  void EmitAllocate(const ir::AllocateNode* op) {
    const ir::Buffer& buffer = op->buffer;
    llvm::Type* elem = MemTy(buffer->dtype);
    int64_t constant_size = 1;
    bool is_constant = true;
    for (const Expr& d : buffer->shape) {
      const int64_t* c = ir::AsConstInt(d);
      if (c) constant_size *= *c; else is_constant = false;
    }
    if (buffer->scope == ir::MemoryScope::kStack && is_constant) {
      // In the entry block, so that SROA can turn small arrays into registers.
      scope_->Bind(buffer.get(), CreateEntryAlloca(elem, constant_size, buffer->name));
      EmitStmt(op->body);
      scope_->buffers.erase(buffer.get());
      return;
    }
    llvm::Value* count = llvm::ConstantInt::get(i64_, 1);
    for (const Expr& d : buffer->shape) {
      count = b_.CreateMul(count, b_.CreateSExtOrTrunc(EmitExpr(d), i64_));
    }
    llvm::Value* bytes = b_.CreateMul(count, b_.getInt64(buffer->dtype.bytes()));
    auto* alloc_type = llvm::FunctionType::get(ptr_, {i64_}, false);
    auto* free_type = llvm::FunctionType::get(b_.getVoidTy(), {ptr_}, false);
    llvm::Value* data = b_.CreateCall(alloc_type, b_.CreateLoad(ptr_, alloc_), {bytes},
                                      buffer->name);
    RecordFailure(b_.CreateZExt(b_.CreateICmpEQ(data, llvm::ConstantPointerNull::get(ptr_)),
                                i32_));
    scope_->Bind(buffer.get(), data);
    EmitStmt(op->body);
    scope_->buffers.erase(buffer.get());
    b_.CreateCall(free_type, b_.CreateLoad(ptr_, free_), {data});
  }

  llvm::Module& module_;
  llvm::LLVMContext& ctx_;
  llvm::IRBuilder<> b_;
  llvm::PointerType* ptr_;
  llvm::IntegerType* i32_;
  llvm::IntegerType* i64_;
  llvm::GlobalVariable* launch_;
  llvm::GlobalVariable* alloc_;
  llvm::GlobalVariable* free_;
  Scope* scope_ = nullptr;
  absl::Status status_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<llvm::Module>> BuildModule(
    const std::vector<ir::LoweredFunc>& funcs, llvm::TargetMachine& machine,
    llvm::LLVMContext& context, int vector_bits) {
  auto module = std::make_unique<llvm::Module>("kiln", context);
  module->setTargetTriple(machine.getTargetTriple().str());
  module->setDataLayout(machine.createDataLayout());
  Emitter emitter(*module, context);
  for (const ir::LoweredFunc& f : funcs) {
    if (auto st = emitter.EmitFunction(f); !st.ok()) {
      return absl::Status(st.code(), absl::StrCat("function ", f.name, ": ", st.message()));
    }
  }
  // Without these, LLVM splits 512-bit vectors into 256-bit halves on
  // AVX-512 CPUs (its default preference), halving the FMA width.
  const std::string width = absl::StrCat(vector_bits);
  for (llvm::Function& fn : *module) {
    if (fn.isDeclaration()) continue;
    fn.addFnAttr("target-cpu", machine.getTargetCPU());
    fn.addFnAttr("target-features", machine.getTargetFeatureString());
    fn.addFnAttr("prefer-vector-width", width);
    fn.addFnAttr("min-legal-vector-width", width);
  }
  // Loaders check these features against the host before running anything.
  const std::string features = absl::StrJoin(RequiredCpuFeatures(machine), ",");
  auto* init = llvm::ConstantDataArray::getString(context, features, true);
  new llvm::GlobalVariable(*module, init->getType(), true, llvm::GlobalValue::ExternalLinkage,
                           init, KILN_REQUIRED_FEATURES_SYMBOL);
  std::string error;
  llvm::raw_string_ostream os(error);
  if (llvm::verifyModule(*module, &os)) {
    return absl::InternalError(absl::StrCat("codegen produced invalid LLVM IR: ", os.str()));
  }
  return module;
}

void OptimizeModule(llvm::Module& module, llvm::TargetMachine& machine) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = true;
  llvm::PassBuilder builder(&machine, tuning);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager passes =
      builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
  passes.run(module, mam);
}

}  // namespace kiln::codegen

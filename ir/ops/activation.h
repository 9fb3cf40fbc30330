// The activation an operator's epilogue applies while storing its output:
// a clamp to [lo, hi], which covers none, ReLU, ReLU6 and Clip with constant
// bounds, so that all of them fuse into the producing kernel.
#ifndef KILN_IR_OPS_ACTIVATION_H_
#define KILN_IR_OPS_ACTIVATION_H_

#include <algorithm>
#include <limits>

#include "ir/expr.h"

namespace kiln::ir::ops {

struct Activation {
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();

  static const Activation kNone;
  static const Activation kRelu;

  bool is_none() const { return *this == kNone; }
  // The clamp in a compute definition, and on one reference value.
  Expr Apply(Expr v) const {
    if (lo > -std::numeric_limits<float>::infinity()) v = Max(v, Expr(lo));
    if (hi < std::numeric_limits<float>::infinity()) v = Min(v, Expr(hi));
    return v;
  }
  double Apply(double v) const {
    return std::min<double>(std::max<double>(v, lo), hi);
  }
  friend bool operator==(const Activation& a, const Activation& b) {
    return a.lo == b.lo && a.hi == b.hi;
  }
};

inline const Activation Activation::kNone{};
inline const Activation Activation::kRelu{0.0f, std::numeric_limits<float>::infinity()};

}  // namespace kiln::ir::ops

#endif  // KILN_IR_OPS_ACTIVATION_H_

// Algebraic simplification of integer index arithmetic and of loop nests.
//
// Lowering produces index expressions such as ((o*16 + i) floordiv 16) from
// split and fuse; Simplify brings them back to canonical sums (o) using the
// ranges of the loop variables around them, folds constants, decides
// conditions it can prove, and removes loops of extent 0 or 1.
#ifndef KILN_IR_SIMPLIFY_H_
#define KILN_IR_SIMPLIFY_H_

#include <cstdint>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "ir/expr.h"
#include "ir/stmt.h"

namespace kiln::ir {

// Closed integer interval; an absent end is unbounded.
struct Interval {
  std::optional<int64_t> min, max;
  static Interval Point(int64_t v) { return {v, v}; }
  static Interval Everything() { return {}; }
};
using VarRanges = absl::flat_hash_map<const VarNode*, Interval>;

// Bounds of a scalar integer expression given the ranges of its variables.
Interval BoundOf(const Expr& e, const VarRanges& ranges);

// True only when `condition` holds for every value in the ranges.
bool ProveTrue(const Expr& condition, const VarRanges& ranges);

Expr Simplify(const Expr& e, const VarRanges& ranges = {});
// Loop variables' ranges are taken from the enclosing For nodes.
Stmt Simplify(const Stmt& s, const VarRanges& ranges = {});

}  // namespace kiln::ir

#endif  // KILN_IR_SIMPLIFY_H_

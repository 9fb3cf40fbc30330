// Lowering: from a schedule (or a loop nest written by hand) to a function
// codegen can compile.
#ifndef KILN_IR_LOWER_LOWER_H_
#define KILN_IR_LOWER_LOWER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/schedule.h"
#include "ir/stmt.h"

namespace kiln::ir {

struct LowerOptions {
  // Called with the pass name and its result after every pass. The
  // environment variable KILN_DUMP_LOWER=1 prints the same to stderr.
  std::function<void(const std::string& pass, const Stmt& result)> dump;
};

// `args` are the placeholders and outputs, in the order the function takes
// its buffers.
absl::StatusOr<LoweredFunc> Lower(const Schedule& schedule, const std::vector<Tensor>& args,
                                  const std::string& name, const LowerOptions& options = {});

// A loop nest written by hand, for operators whose loops a compute
// definition cannot express (a scatter's ordered writes, a sort), through
// the same passes as Lower's after it has built its nest. `args` are the
// kGlobal buffers `body` uses, in the order the function takes them.
absl::StatusOr<LoweredFunc> LowerLoopNest(const Stmt& body, std::vector<Buffer> args,
                                          const std::string& name,
                                          const LowerOptions& options = {});

}  // namespace kiln::ir

#endif  // KILN_IR_LOWER_LOWER_H_

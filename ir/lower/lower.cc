#include "ir/lower/lower.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "ir/functor.h"
#include "ir/lower/loop_partition.h"
#include "ir/lower/schedule_to_loop_nest.h"
#include "ir/lower/unroll.h"
#include "ir/lower/vectorize.h"
#include "ir/printer.h"
#include "ir/simplify.h"
#include "runtime/env_flag.h"

namespace kiln::ir {
namespace {

// Lowered code must not contain tensor-level nodes.
absl::Status CheckLowered(const Stmt& s) {
  class Finder : public StmtVisitor {
   public:
    std::string found;

   protected:
    void VisitTensorRead(const TensorReadNode* op) override {
      if (found.empty()) found = absl::StrCat("a read of tensor ", op->tensor->name);
    }
    void VisitReduce(const ReduceNode*) override {
      if (found.empty()) found = "a reduction";
    }
  };
  Finder f;
  f.Visit(s);
  if (f.found.empty()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("lowering left ", f.found, " in the loop nest"));
}

}  // namespace

absl::StatusOr<LoweredFunc> Lower(const Schedule& schedule, const std::vector<Tensor>& args,
                                  const std::string& name, const LowerOptions& options) {
  const bool dump_env = runtime::EnvFlag("KILN_DUMP_LOWER");
  auto after = [&](const char* pass, const Stmt& s) {
    if (options.dump) options.dump(pass, s);
    if (dump_env) std::cerr << "---- " << name << " after " << pass << " ----\n" << ToString(s);
  };

  LoweredFunc f;
  f.name = name;
  auto nest = ScheduleToLoopNest(schedule, args, &f.args);
  if (!nest.ok()) return nest.status();
  Stmt s = *nest;
  after("schedule_to_loop_nest", s);

  // The pipeline: each step is a function from loop nest to loop nest.
  s = Simplify(s);
  after("simplify", s);
  s = PartitionLoops(s);
  after("loop_partition", s);
  s = VectorizeLoops(s);
  after("vectorize", s);
  s = UnrollLoops(s);
  after("unroll", s);
  s = Simplify(s);
  after("simplify", s);

  if (auto st = CheckLowered(s); !st.ok()) return st;
  f.body = s;
  return f;
}

}  // namespace kiln::ir

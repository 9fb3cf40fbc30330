#include "ir/lower/lower.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "ir/functor.h"
#include "ir/lower/hoist_conditions.h"
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

// Reports each pass's result to `options.dump` and, with KILN_DUMP_LOWER=1,
// to stderr.
class PassDump {
 public:
  PassDump(const std::string& name, const LowerOptions& options)
      : name_(name), options_(options), env_(runtime::EnvFlag("KILN_DUMP_LOWER")) {}
  void operator()(const char* pass, const Stmt& s) const {
    if (options_.dump) options_.dump(pass, s);
    if (env_) std::cerr << "---- " << name_ << " after " << pass << " ----\n" << ToString(s);
  }

 private:
  const std::string& name_;
  const LowerOptions& options_;
  const bool env_;
};

// The pipeline: each step is a function from loop nest to loop nest.
absl::StatusOr<Stmt> RunPasses(Stmt s, const PassDump& after) {
  s = Simplify(s);
  after("simplify", s);
  s = HoistConditions(s);
  after("hoist_conditions", s);
  s = PartitionLoops(s);
  after("loop_partition", s);
  s = VectorizeLoops(s);
  after("vectorize", s);
  s = UnrollLoops(s);
  after("unroll", s);
  s = Simplify(s);
  after("simplify", s);
  if (auto st = CheckLowered(s); !st.ok()) return st;
  return s;
}

}  // namespace

absl::StatusOr<LoweredFunc> Lower(const Schedule& schedule, const std::vector<Tensor>& args,
                                  const std::string& name, const LowerOptions& options) {
  const PassDump after(name, options);
  LoweredFunc f;
  f.name = name;
  auto nest = ScheduleToLoopNest(schedule, args, &f.args);
  if (!nest.ok()) return nest.status();
  after("schedule_to_loop_nest", *nest);
  auto body = RunPasses(*nest, after);
  if (!body.ok()) return body.status();
  f.body = *body;
  return f;
}

absl::StatusOr<LoweredFunc> LowerLoopNest(const Stmt& body, std::vector<Buffer> args,
                                          const std::string& name,
                                          const LowerOptions& options) {
  for (const Buffer& b : args) {
    if (!b || b->scope != MemoryScope::kGlobal) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, ": argument ", b ? b->name : "(null)", " is not a kGlobal buffer"));
    }
  }
  const PassDump after(name, options);
  after("hand_written", body);
  auto lowered = RunPasses(body, after);
  if (!lowered.ok()) return lowered.status();
  return LoweredFunc{name, std::move(args), *lowered};
}

}  // namespace kiln::ir

// What a compiled model is to the runtime: tensors with fixed places in
// memory and an ordered list of kernel calls over them.
//
// The compiler decides everything ahead of time (which kernel runs when,
// where each intermediate lives in one reusable arena, the packed
// parameters), so running a model is a loop over steps with no allocation.
// The plan serializes to a compact binary form stored in the artifact.
#ifndef KILN_RUNTIME_EXECUTION_PLAN_H_
#define KILN_RUNTIME_EXECUTION_PLAN_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runtime/dtype.h"

namespace kiln::runtime {

enum class SlotKind : uint8_t {
  kInput,         // set by the caller; owned by the executor
  kConstant,      // parameters, at `offset` in ExecutionPlan::constants
  kIntermediate,  // at `offset` in the arena shared by all intermediates
  kOutput,        // owned by the executor, read by the caller
};

struct TensorSlot {
  std::string name;
  SlotKind kind = SlotKind::kIntermediate;
  DType dtype = DType::kFloat32;
  std::vector<int64_t> shape;
  int64_t offset = 0;  // bytes; constants and intermediates only

  int64_t NumBytes() const;
};

struct PlanStep {
  enum class Kind : uint8_t {
    kKernel,      // calls `kernel` with the slots `args` (inputs then outputs)
    kCopy,        // args {source, destination}: same bytes, e.g. a reshape
    kCheckBound,  // args {input, constant}: an input whose value the model was
                  // compiled for (it sets a shape) must still hold it
  };
  Kind kind = Kind::kKernel;
  std::string kernel;
  std::vector<int32_t> args;
};

struct ExecutionPlan {
  std::vector<TensorSlot> slots;
  std::vector<PlanStep> steps;
  std::vector<int32_t> inputs;   // slot ids, in the model's input order
  std::vector<int32_t> outputs;  // slot ids, in the model's output order
  int64_t arena_bytes = 0;       // peak memory of the intermediates
  std::string constants;         // packed parameters, 64-byte aligned offsets
  // Set instead of `constants` when the parameters stay in the memory the
  // plan was parsed from (a mapped artifact), which `constants_owner` keeps.
  absl::string_view borrowed_constants;
  std::shared_ptr<const void> constants_owner;

  absl::string_view Constants() const {
    return constants_owner ? borrowed_constants : absl::string_view(constants);
  }

  // Slot ids in range, offsets and sizes inside their storage, step
  // arities sensible: what a loader checks before anything runs.
  absl::Status Validate() const;
  // What an executor of a valid plan allocates: the arena, the inputs and
  // the outputs (saturating at INT64_MAX rather than overflowing).
  int64_t ExecutorBytes() const;
};

std::string SerializePlan(const ExecutionPlan& plan);
// Rejects truncated or inconsistent bytes with an error, never crashes.
// With an `owner` of `bytes` the parameters are borrowed, not copied.
absl::StatusOr<ExecutionPlan> ParsePlan(absl::string_view bytes,
                                        std::shared_ptr<const void> owner = nullptr);

}  // namespace kiln::runtime

#endif  // KILN_RUNTIME_EXECUTION_PLAN_H_

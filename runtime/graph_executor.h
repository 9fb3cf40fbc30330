// Runs a compiled model: binds the plan's slots to memory once (one arena
// for every intermediate, the packed parameters, owned input and output
// buffers), resolves each step's kernel once, and then runs the steps.
#ifndef KILN_RUNTIME_GRAPH_EXECUTOR_H_
#define KILN_RUNTIME_GRAPH_EXECUTOR_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/execution_plan.h"
#include "runtime/ndarray.h"

namespace kiln::runtime {

using KernelFunction = int32_t (*)(void* const* args);
// Finds a compiled kernel by name: in a loaded shared object or a JIT.
using KernelResolver = std::function<absl::StatusOr<KernelFunction>(const std::string&)>;

class GraphExecutor {
 public:
  // Fails when the plan is invalid or a kernel it names cannot be found.
  static absl::StatusOr<std::unique_ptr<GraphExecutor>> Create(ExecutionPlan plan,
                                                               const KernelResolver& resolve);

  int num_inputs() const { return static_cast<int>(plan_.inputs.size()); }
  int num_outputs() const { return static_cast<int>(plan_.outputs.size()); }
  const TensorSlot& input(int index) const { return plan_.slots[plan_.inputs[index]]; }
  const TensorSlot& output(int index) const { return plan_.slots[plan_.outputs[index]]; }

  // Copies `value` in; its shape and dtype must be the input's exactly.
  absl::Status SetInput(const std::string& name, const NDArray& value);
  absl::Status SetInput(int index, const NDArray& value);
  absl::Status Run();
  // Run(), timing each step: milliseconds per step, in plan order.
  absl::StatusOr<std::vector<double>> RunProfiled();
  // Views of the executor's output buffers, overwritten by the next Run().
  absl::StatusOr<NDArray> GetOutput(int index) const;
  absl::StatusOr<NDArray> GetOutput(const std::string& name) const;

  // Bytes of the arena the intermediates share, and of all memory the
  // executor holds (arena, parameters, inputs, outputs).
  const ExecutionPlan& plan() const { return plan_; }
  int64_t arena_bytes() const { return plan_.arena_bytes; }
  int64_t total_bytes() const;

 private:
  struct BoundStep {
    PlanStep::Kind kind;
    KernelFunction fn = nullptr;
    std::string kernel;
    std::vector<void*> args;
    int64_t copy_bytes;
  };
  explicit GraphExecutor(ExecutionPlan plan) : plan_(std::move(plan)) {}
  absl::Status RunStep(size_t i);

  ExecutionPlan plan_;
  NDArray arena_, constants_;
  int64_t constant_bytes_ = 0;
  std::vector<NDArray> slot_arrays_;  // one view or owned array per slot
  std::vector<BoundStep> steps_;
};

}  // namespace kiln::runtime

#endif  // KILN_RUNTIME_GRAPH_EXECUTOR_H_

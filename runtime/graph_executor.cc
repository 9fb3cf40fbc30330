#include "runtime/graph_executor.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "runtime/machine_memory.h"

namespace kiln::runtime {

absl::StatusOr<std::unique_ptr<GraphExecutor>> GraphExecutor::Create(
    ExecutionPlan plan, const KernelResolver& resolve) {
  if (auto st = plan.Validate(); !st.ok()) return st;
  // A plan's sizes come from a file: refused before allocating when no
  // machine like this one could hold them.
  if (plan.ExecutorBytes() > MachineMemoryBytes()) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the model needs ", plan.ExecutorBytes(), " bytes for its inputs, outputs and "
        "intermediates; this machine has ", MachineMemoryBytes()));
  }
  std::unique_ptr<GraphExecutor> ex(new GraphExecutor(std::move(plan)));
  const ExecutionPlan& p = ex->plan_;
  auto arena = NDArray::Empty({std::max<int64_t>(p.arena_bytes, 1)}, DType::kUInt8);
  if (!arena.ok()) return arena.status();
  ex->arena_ = *arena;
  // Kernels expect 64-byte aligned parameters: borrowed ones are used in
  // place when they are (artifacts are written so), others are copied.
  const absl::string_view blob = p.Constants();
  ex->constant_bytes_ = static_cast<int64_t>(blob.size());
  char* constants_base;
  if (p.constants_owner && reinterpret_cast<uintptr_t>(blob.data()) % 64 == 0) {
    constants_base = const_cast<char*>(blob.data());
  } else {
    auto constants = NDArray::Empty({std::max<int64_t>(ex->constant_bytes_, 1)}, DType::kUInt8);
    if (!constants.ok()) return constants.status();
    ex->constants_ = *constants;
    std::memcpy(ex->constants_.raw_data(), blob.data(), blob.size());
    constants_base = ex->constants_.data<char>();
  }

  for (const TensorSlot& s : p.slots) {
    switch (s.kind) {
      case SlotKind::kConstant:
        ex->slot_arrays_.push_back(NDArray::View(constants_base + s.offset, s.shape, s.dtype));
        break;
      case SlotKind::kIntermediate:
        ex->slot_arrays_.push_back(
            NDArray::View(ex->arena_.data<char>() + s.offset, s.shape, s.dtype));
        break;
      case SlotKind::kInput:
      case SlotKind::kOutput: {
        auto owned = NDArray::Empty(s.shape, s.dtype);
        if (!owned.ok()) return owned.status();
        ex->slot_arrays_.push_back(*owned);
        break;
      }
    }
  }
  for (const PlanStep& step : p.steps) {
    BoundStep bound{step.kind, nullptr, step.kernel, {}, 0};
    if (step.kind != PlanStep::Kind::kKernel) {
      bound.copy_bytes = p.slots[step.args[0]].NumBytes();
    }
    for (int32_t a : step.args) bound.args.push_back(ex->slot_arrays_[a].raw_data());
    if (step.kind == PlanStep::Kind::kKernel) {
      auto fn = resolve(step.kernel);
      if (!fn.ok()) {
        return absl::NotFoundError(absl::StrCat("the model's kernel ", step.kernel,
                                                " is missing: ", fn.status().message()));
      }
      bound.fn = *fn;
    }
    ex->steps_.push_back(std::move(bound));
  }
  // The executor's aligned copy (or the borrowed memory) is the one in use.
  ex->plan_.constants = std::string();
  return ex;
}

absl::Status GraphExecutor::SetInput(int index, const NDArray& value) {
  if (index < 0 || index >= num_inputs()) {
    return absl::OutOfRangeError(
        absl::StrCat("input index ", index, " is out of range: the model has ", num_inputs(),
                     " input(s)"));
  }
  const TensorSlot& s = input(index);
  if (value.dtype() != s.dtype || value.shape() != s.shape) {
    return absl::InvalidArgumentError(absl::StrCat(
        "input '", s.name, "' expects ", DTypeName(s.dtype), ShapeToString(s.shape), ", got ",
        DTypeName(value.dtype()), value.ShapeString()));
  }
  return slot_arrays_[plan_.inputs[index]].CopyFrom(value);
}

absl::Status GraphExecutor::SetInput(const std::string& name, const NDArray& value) {
  std::string names;
  for (int i = 0; i < num_inputs(); ++i) {
    if (input(i).name == name) return SetInput(i, value);
    absl::StrAppend(&names, i ? ", " : "", input(i).name);
  }
  return absl::NotFoundError(
      absl::StrCat("the model has no input named '", name, "'; its inputs are: ", names));
}

namespace {

// "[1, 2, 3]" or "[1, 2, 3, ...] (12 values)" for messages.
std::string ValuePreview(const NDArray& a) {
  constexpr int64_t kShown = 8;
  std::string text = "[";
  const int64_t n = a.NumElements();
  for (int64_t k = 0; k < std::min(n, kShown); ++k) {
    if (k > 0) text += ", ";
    switch (a.dtype()) {
      case DType::kInt64: absl::StrAppend(&text, a.data<int64_t>()[k]); break;
      case DType::kUInt64: absl::StrAppend(&text, a.data<uint64_t>()[k]); break;
      default: absl::StrAppend(&text, ElementAsDouble(a.raw_data(), a.dtype(), k)); break;
    }
  }
  return n > kShown ? absl::StrCat(text, ", ...] (", n, " values)") : text + "]";
}

}  // namespace

absl::Status GraphExecutor::RunStep(size_t i) {
  const BoundStep& step = steps_[i];
  if (step.kind == PlanStep::Kind::kCopy) {
    std::memmove(step.args[1], step.args[0], step.copy_bytes);
    return absl::OkStatus();
  }
  if (step.kind == PlanStep::Kind::kCheckBound) {
    if (std::memcmp(step.args[0], step.args[1], step.copy_bytes) == 0) return absl::OkStatus();
    const TensorSlot& input = plan_.slots[plan_.steps[i].args[0]];
    return absl::InvalidArgumentError(absl::StrCat(
        "input '", input.name, "' is ", ValuePreview(slot_arrays_[plan_.steps[i].args[0]]),
        ", but the model was compiled for ", ValuePreview(slot_arrays_[plan_.steps[i].args[1]]),
        " (a value that sets a shape or another compile-time parameter): compile it again with "
        "the new value in --input_values"));
  }
  if (int32_t code = step.fn(step.args.data()); code != 0) {
    return absl::InternalError(
        absl::StrCat("kernel ", step.kernel, " (step ", i, ") failed with code ", code));
  }
  return absl::OkStatus();
}

absl::Status GraphExecutor::Run() {
  for (size_t i = 0; i < steps_.size(); ++i) {
    if (auto st = RunStep(i); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<double>> GraphExecutor::RunProfiled() {
  std::vector<double> ms;
  for (size_t i = 0; i < steps_.size(); ++i) {
    const auto start = std::chrono::steady_clock::now();
    if (auto st = RunStep(i); !st.ok()) return st;
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  return ms;
}

absl::StatusOr<NDArray> GraphExecutor::GetOutput(int index) const {
  if (index < 0 || index >= num_outputs()) {
    return absl::OutOfRangeError(absl::StrCat("output index ", index,
                                              " is out of range: the model has ",
                                              num_outputs(), " output(s)"));
  }
  return slot_arrays_[plan_.outputs[index]];
}

absl::StatusOr<NDArray> GraphExecutor::GetOutput(const std::string& name) const {
  std::string names;
  for (int i = 0; i < num_outputs(); ++i) {
    if (output(i).name == name) return GetOutput(i);
    absl::StrAppend(&names, i ? ", " : "", output(i).name);
  }
  return absl::NotFoundError(
      absl::StrCat("the model has no output named '", name, "'; its outputs are: ", names));
}

int64_t GraphExecutor::total_bytes() const {
  int64_t bytes = plan_.arena_bytes + constant_bytes_;
  for (const TensorSlot& s : plan_.slots) {
    if (s.kind == SlotKind::kInput || s.kind == SlotKind::kOutput) bytes += s.NumBytes();
  }
  return bytes;
}

}  // namespace kiln::runtime

#include "runtime/execution_plan.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"

namespace kiln::runtime {
namespace {

// Fixed-width little-endian fields; x86-64 is little-endian, so the bytes
// are copied as they are.
class Writer {
 public:
  template <typename T>
  void Put(T v) {
    out_.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  void PutString(absl::string_view s) {
    Put<uint64_t>(s.size());
    out_.append(s.data(), s.size());
  }
  template <typename T>
  void PutVector(const std::vector<T>& v) {
    Put<uint64_t>(v.size());
    for (const T& x : v) Put<T>(x);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(absl::string_view in) : in_(in) {}
  template <typename T>
  bool Get(T& v) {
    if (in_.size() < sizeof(T)) return Fail();
    std::memcpy(&v, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
    return true;
  }
  bool GetView(absl::string_view& s) {
    uint64_t n = 0;
    if (!Get(n) || n > in_.size()) return Fail();
    s = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool GetString(std::string& s) {
    absl::string_view view;
    if (!GetView(view)) return false;
    s.assign(view.data(), view.size());
    return true;
  }
  template <typename T>
  bool GetVector(std::vector<T>& v) {
    uint64_t n = 0;
    if (!Get(n) || n > in_.size() / sizeof(T)) return Fail();
    v.resize(n);
    for (T& x : v) Get(x);
    return true;
  }
  // A count of records that each take at least `min_bytes`.
  bool GetCount(uint64_t& n, size_t min_bytes) {
    return Get(n) && (n <= in_.size() / min_bytes || Fail());
  }
  bool failed() const { return failed_; }
  bool at_end() const { return in_.empty(); }

 private:
  bool Fail() {
    failed_ = true;
    return false;
  }
  absl::string_view in_;
  bool failed_ = false;
};

constexpr uint32_t kPlanMagic = 0x4e4c504b;  // "KPLN"

absl::Status Corrupt(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("execution plan is corrupt: ", what));
}

}  // namespace

int64_t TensorSlot::NumBytes() const {
  int64_t n = DTypeBytes(dtype);
  for (int64_t d : shape) n *= d;
  return n;
}

absl::Status ExecutionPlan::Validate() const {
  const auto bad_slot = [&](int32_t id) { return id < 0 || id >= static_cast<int32_t>(slots.size()); };
  for (size_t i = 0; i < slots.size(); ++i) {
    const TensorSlot& s = slots[i];
    int64_t elements = 1;
    for (int64_t d : s.shape) {
      if (d < 0 || (d > 0 && elements > std::numeric_limits<int64_t>::max() / 8 / d)) {
        return Corrupt(absl::StrCat("slot ", i, " (", s.name, ") has an invalid shape"));
      }
      elements *= d;
    }
    const int64_t limit = s.kind == SlotKind::kConstant       ? static_cast<int64_t>(Constants().size())
                          : s.kind == SlotKind::kIntermediate ? arena_bytes
                                                              : -1;
    if (limit >= 0 && (s.offset < 0 || s.offset > limit || s.NumBytes() > limit - s.offset)) {
      return Corrupt(absl::StrCat("slot ", i, " (", s.name, ") lies outside its storage"));
    }
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    const PlanStep& step = steps[i];
    for (int32_t a : step.args) {
      if (bad_slot(a)) return Corrupt(absl::StrCat("step ", i, " names slot ", a));
    }
    if (step.kind != PlanStep::Kind::kKernel &&
        (step.args.size() != 2 || slots[step.args[0]].NumBytes() != slots[step.args[1]].NumBytes())) {
      return Corrupt(absl::StrCat("copy or check step ", i, " does not pair equal sizes"));
    }
    if (step.kind == PlanStep::Kind::kKernel && step.kernel.empty()) {
      return Corrupt(absl::StrCat("step ", i, " has no kernel name"));
    }
  }
  for (const auto* ids : {&inputs, &outputs}) {
    for (int32_t id : *ids) {
      if (bad_slot(id)) return Corrupt(absl::StrCat("model input/output names slot ", id));
    }
  }
  for (int32_t id : inputs) {
    if (slots[id].kind != SlotKind::kInput) return Corrupt("an input slot is not of kind input");
  }
  return absl::OkStatus();
}

int64_t ExecutionPlan::ExecutorBytes() const {
  int64_t bytes = std::max<int64_t>(arena_bytes, 0);
  for (const TensorSlot& s : slots) {
    if (s.kind != SlotKind::kInput && s.kind != SlotKind::kOutput) continue;
    if (__builtin_add_overflow(bytes, s.NumBytes(), &bytes)) {
      return std::numeric_limits<int64_t>::max();
    }
  }
  return bytes;
}

std::string SerializePlan(const ExecutionPlan& plan) {
  Writer w;
  w.Put(kPlanMagic);
  w.Put<uint64_t>(plan.slots.size());
  for (const TensorSlot& s : plan.slots) {
    w.PutString(s.name);
    w.Put(static_cast<uint8_t>(s.kind));
    w.Put(static_cast<uint8_t>(s.dtype));
    w.PutVector(s.shape);
    w.Put(s.offset);
  }
  w.Put<uint64_t>(plan.steps.size());
  for (const PlanStep& step : plan.steps) {
    w.Put(static_cast<uint8_t>(step.kind));
    w.PutString(step.kernel);
    w.PutVector(step.args);
  }
  w.PutVector(plan.inputs);
  w.PutVector(plan.outputs);
  w.Put(plan.arena_bytes);
  w.PutString(plan.Constants());
  return w.Take();
}

absl::StatusOr<ExecutionPlan> ParsePlan(absl::string_view bytes,
                                        std::shared_ptr<const void> owner) {
  Reader r(bytes);
  ExecutionPlan plan;
  uint32_t magic = 0;
  if (!r.Get(magic) || magic != kPlanMagic) return Corrupt("bad magic number");
  uint64_t n = 0;
  if (!r.GetCount(n, 8 + 2 + 8 + 8)) return Corrupt("truncated slot table");
  plan.slots.resize(n);
  for (TensorSlot& s : plan.slots) {
    uint8_t kind = 0, dtype = 0;
    r.GetString(s.name) && r.Get(kind) && r.Get(dtype) && r.GetVector(s.shape) && r.Get(s.offset);
    if (r.failed()) return Corrupt("truncated slot");
    if (kind > static_cast<uint8_t>(SlotKind::kOutput) ||
        !IsDTypeCode(dtype)) {
      return Corrupt(absl::StrCat("slot ", s.name, " has an unknown kind or dtype"));
    }
    s.kind = static_cast<SlotKind>(kind);
    s.dtype = static_cast<DType>(dtype);
  }
  if (!r.GetCount(n, 1 + 8 + 8)) return Corrupt("truncated step list");
  plan.steps.resize(n);
  for (PlanStep& step : plan.steps) {
    uint8_t kind = 0;
    r.Get(kind) && r.GetString(step.kernel) && r.GetVector(step.args);
    if (r.failed()) return Corrupt("truncated step");
    if (kind > static_cast<uint8_t>(PlanStep::Kind::kCheckBound)) {
      return Corrupt("unknown step kind");
    }
    step.kind = static_cast<PlanStep::Kind>(kind);
  }
  r.GetVector(plan.inputs) && r.GetVector(plan.outputs) && r.Get(plan.arena_bytes);
  if (owner) {
    r.GetView(plan.borrowed_constants);
    plan.constants_owner = std::move(owner);
  } else {
    r.GetString(plan.constants);
  }
  if (r.failed()) return Corrupt("truncated tail");
  if (!r.at_end()) return Corrupt("trailing bytes after the plan");
  if (auto st = plan.Validate(); !st.ok()) return st;
  return plan;
}

}  // namespace kiln::runtime

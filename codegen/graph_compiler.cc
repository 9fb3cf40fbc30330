#include "codegen/graph_compiler.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <unistd.h>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "codegen/memory_planner.h"
#include "codegen/node_lowering.h"
#include "codegen/object_emitter.h"
#include "runtime/artifact.h"

namespace kiln::codegen {
namespace {

using runtime::ExecutionPlan;
using runtime::PlanStep;
using runtime::SlotKind;
using runtime::TensorSlot;

std::string AttrToString(const graph::AttrValue& v) {
  struct Printer {
    std::string operator()(int64_t x) const { return absl::StrCat(x); }
    std::string operator()(double x) const { return absl::StrCat(x); }
    std::string operator()(const std::string& x) const { return absl::StrCat("\"", x, "\""); }
    std::string operator()(const std::vector<int64_t>& x) const {
      return absl::StrCat("[", absl::StrJoin(x, ","), "]");
    }
    std::string operator()(const std::vector<double>& x) const {
      return absl::StrCat("[", absl::StrJoin(x, ","), "]");
    }
  };
  return std::visit(Printer{}, v);
}

// Nodes with equal signatures compute the same function of their inputs'
// bytes, so they share one kernel.
std::string NodeSignature(const graph::Graph& g, const graph::Node& n) {
  std::string s = n.op;
  for (int in : n.inputs) {
    absl::StrAppend(&s, "|", in < 0 ? "none" : g.value(in).type.ToString());
  }
  for (int out : n.outputs) absl::StrAppend(&s, "->", g.value(out).type.ToString());
  std::map<std::string, std::string> attrs;
  for (const auto& [key, value] : n.attrs) attrs[key] = AttrToString(value);
  for (const auto& [key, value] : attrs) absl::StrAppend(&s, ";", key, "=", value);
  return s;
}

class PlanBuilder {
 public:
  PlanBuilder(const graph::Graph& g, const targets::Target& target) : g_(g), target_(target) {}

  absl::StatusOr<CompiledGraph> Build() {
    if (auto st = g_.Verify(); !st.ok()) return st;
    for (int in : g_.inputs()) {
      if (!g_.value(in).constant) {
        plan_.inputs.push_back(AddSlot(in, SlotKind::kInput));
        continue;
      }
      // An input bound to a value when importing (it sets a shape): the
      // nodes read the value as a constant, and the input the caller feeds
      // is checked against it first.
      const int slot = NewSlot(g_.value(in).name, SlotKind::kInput, g_.value(in).type);
      plan_.inputs.push_back(slot);
      auto bound = SlotOf(in);
      if (!bound.ok()) return bound.status();
      plan_.steps.push_back({PlanStep::Kind::kCheckBound, "", {slot, *bound}});
    }
    // Output slots carry the graph's output names, which may differ from
    // their values' names (an output that is an input, say).
    const std::vector<int>& outputs = g_.outputs();
    const std::vector<std::string>& names = g_.output_names();
    for (size_t k = 0; k < outputs.size(); ++k) {
      // Graph outputs produced by a node are written in place; inputs and
      // constants that are outputs too (and repeated outputs) get a copy.
      const int out = outputs[k];
      if (g_.value(out).producer >= 0 && !output_slot_.contains(out)) {
        output_slot_[out] = AddSlot(out, SlotKind::kOutput);
        plan_.slots[output_slot_[out]].name = names[k];
      }
    }
    for (const graph::Node& n : g_.nodes()) {
      if (auto st = AddNode(n); !st.ok()) return st;
    }
    for (size_t k = 0; k < outputs.size(); ++k) {
      const int out = outputs[k];
      auto it = output_slot_.find(out);
      if (it != output_slot_.end() && used_output_.insert(out).second) {
        plan_.outputs.push_back(it->second);
        continue;
      }
      auto source = SlotOf(out);
      if (!source.ok()) return source.status();
      const int copy = NewSlot(names[k], SlotKind::kOutput, g_.value(out).type);
      plan_.steps.push_back({PlanStep::Kind::kCopy, "", {*source, copy}});
      plan_.outputs.push_back(copy);
    }
    PlanIntermediates();
    compiled_.plan = std::move(plan_);
    return std::move(compiled_);
  }

 private:
  int NewSlot(const std::string& name, SlotKind kind, const graph::TensorType& type) {
    plan_.slots.push_back(TensorSlot{name, kind, type.dtype, type.shape, 0});
    return static_cast<int>(plan_.slots.size() - 1);
  }

  int AddSlot(int value, SlotKind kind) {
    const int slot = NewSlot(g_.value(value).name, kind, g_.value(value).type);
    slot_[value] = slot;
    return slot;
  }

  // The slot holding `value`, adding constants on first use.
  absl::StatusOr<int> SlotOf(int value) {
    auto it = slot_.find(value);
    if (it != slot_.end()) return it->second;
    const graph::Value& v = g_.value(value);
    if (!v.constant) {
      return absl::InvalidArgumentError(
          absl::StrCat("value ", v.name, " is read before it is computed"));
    }
    const int slot = AddSlot(value, SlotKind::kConstant);
    std::string& blob = plan_.constants;
    blob.resize((blob.size() + 63) / 64 * 64, '\0');
    plan_.slots[slot].offset = static_cast<int64_t>(blob.size());
    blob.append(static_cast<const char*>(v.constant->raw_data()), v.constant->NumBytes());
    return slot;
  }

  absl::Status AddNode(const graph::Node& n) {
    const int step = static_cast<int>(plan_.steps.size());
    PlanStep s;
    for (int in : n.inputs) {
      if (in < 0) continue;
      auto slot = SlotOf(in);
      if (!slot.ok()) return slot.status();
      s.args.push_back(*slot);
      last_use_[Storage(*slot)] = step;
    }
    if (std::optional<int64_t> offset = ViewOffset(g_, n); offset && s.args.size() == 1) {
      if (AddView(n.outputs[0], s.args[0], *offset).has_value()) return absl::OkStatus();
    }
    for (int out : n.outputs) {
      auto it = output_slot_.find(out);
      const int slot = it != output_slot_.end() ? it->second : AddSlot(out, SlotKind::kIntermediate);
      slot_[out] = slot;
      s.args.push_back(slot);
      first_def_[slot] = step;
      last_use_.try_emplace(slot, step);
    }
    // A node whose every output holds no element has nothing to compute:
    // its (empty) outputs keep their slots, and no step runs.
    const bool all_empty = std::all_of(n.outputs.begin(), n.outputs.end(), [&](int out) {
      const std::vector<int64_t>& shape = g_.value(out).type.shape;
      return std::find(shape.begin(), shape.end(), 0) != shape.end();
    });
    if (all_empty && !n.outputs.empty()) return absl::OkStatus();
    if (IsCopyNode(n)) {
      if (s.args.size() != 2) {
        return absl::InvalidArgumentError(absl::StrCat(graph::NodeLabel(n), " needs one input"));
      }
      s.kind = PlanStep::Kind::kCopy;
    } else {
      const std::string signature = NodeSignature(g_, n);
      auto it = kernel_by_signature_.find(signature);
      if (it == kernel_by_signature_.end()) {
        const std::string name = absl::StrCat("kiln_", n.op, "_", compiled_.kernels.size());
        auto f = LowerNode(g_, n, target_, name);
        if (!f.ok()) return f.status();
        compiled_.kernels.push_back(*std::move(f));
        it = kernel_by_signature_.emplace(signature, name).first;
      }
      s.kernel = it->second;
    }
    plan_.steps.push_back(std::move(s));
    return absl::OkStatus();
  }

  // The slot whose bytes `slot` names: itself, or what it is a view of.
  int Storage(int slot) const {
    auto it = view_of_.find(slot);
    return it == view_of_.end() ? slot : it->second;
  }

  // The output of a reshape or a contiguous slice as a view of its input's
  // bytes from `offset` on, instead of a copy: for intermediates (whose
  // storage then lives as long as the view is read) and constants. Not for
  // graph outputs, which the caller owns, nor views of inputs, which the
  // caller binds. The view's slot, or nullopt.
  std::optional<int> AddView(int value, int source, int64_t offset) {
    const SlotKind kind = plan_.slots[source].kind;
    if (output_slot_.contains(value) ||
        (kind != SlotKind::kIntermediate && kind != SlotKind::kConstant)) {
      return std::nullopt;
    }
    const graph::TensorType& type = g_.value(value).type;
    if (offset < 0 || offset + TensorSlot{"", kind, type.dtype, type.shape, 0}.NumBytes() >
                          plan_.slots[source].NumBytes()) {
      return std::nullopt;
    }
    const int slot = AddSlot(value, kind);
    const int storage = Storage(source);
    // Offsets within the storage add up along a chain of views.
    view_offset_[slot] = ViewOffsetIn(source) + offset;
    // Final for constants; intermediates are placed by PlanIntermediates.
    plan_.slots[slot].offset = plan_.slots[storage].offset + view_offset_[slot];
    view_of_[slot] = storage;
    return slot;
  }

  // Where `slot`'s bytes start inside its storage's.
  int64_t ViewOffsetIn(int slot) const {
    auto it = view_offset_.find(slot);
    return it == view_offset_.end() ? 0 : it->second;
  }

  void PlanIntermediates() {
    std::vector<int> slots;
    std::vector<BufferLifetime> lifetimes;
    for (size_t i = 0; i < plan_.slots.size(); ++i) {
      if (plan_.slots[i].kind != SlotKind::kIntermediate || view_of_.contains(i)) continue;
      slots.push_back(static_cast<int>(i));
      lifetimes.push_back({plan_.slots[i].NumBytes(), first_def_[i], last_use_[i]});
      compiled_.unplanned_bytes += plan_.slots[i].NumBytes();
    }
    const MemoryPlan memory = PlanMemory(lifetimes);
    for (size_t k = 0; k < slots.size(); ++k) plan_.slots[slots[k]].offset = memory.offsets[k];
    for (const auto& [view, storage] : view_of_) {
      plan_.slots[view].offset = plan_.slots[storage].offset + ViewOffsetIn(view);
    }
    plan_.arena_bytes = memory.arena_bytes;
  }

  const graph::Graph& g_;
  const targets::Target& target_;
  ExecutionPlan plan_;
  CompiledGraph compiled_;
  absl::flat_hash_map<int, int> slot_;         // value -> slot
  absl::flat_hash_map<int, int> output_slot_;  // graph output value -> its output slot
  absl::flat_hash_set<int> used_output_;      // output values already listed
  absl::flat_hash_map<int, int> first_def_, last_use_;  // slot -> step
  absl::flat_hash_map<int, int> view_of_;  // view slot -> the slot holding its bytes
  absl::flat_hash_map<int, int64_t> view_offset_;  // view slot -> its bytes' offset there
  absl::flat_hash_map<std::string, std::string> kernel_by_signature_;
};

}  // namespace

absl::StatusOr<CompiledGraph> PlanGraph(graph::Graph g, const targets::Target& target) {
  auto compiled = PlanBuilder(g, target).Build();
  if (!compiled.ok()) return compiled.status();
  compiled->optimized = std::move(g);
  return compiled;
}

absl::StatusOr<CompiledGraph> CompileGraph(graph::Graph g, const targets::Target& target,
                                           const CompileOptions& options) {
  passes::PipelineOptions pipeline;
  pipeline.target = &target;
  pipeline.dump = options.dump;
  pipeline.schedules = options.schedules;
  if (auto st = passes::OptimizeGraph(g, pipeline); !st.ok()) return st;
  return PlanGraph(std::move(g), target);
}

absl::StatusOr<JitModel> BuildJitModel(const CompiledGraph& compiled,
                                       const targets::Target& target) {
  JitModel model;
  auto jit = JitModule::Compile(compiled.kernels, target);
  if (!jit.ok()) return jit.status();
  model.jit = *std::move(jit);
  JitModule* module = model.jit.get();
  auto executor = runtime::GraphExecutor::Create(
      compiled.plan, [module](const std::string& name) { return module->Lookup(name); });
  if (!executor.ok()) return executor.status();
  model.executor = *std::move(executor);
  return model;
}

absl::Status CheckArtifactPath(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const std::filesystem::path folder = parent.empty() ? std::filesystem::path(".") : parent;
  std::error_code error;
  if (!std::filesystem::is_directory(folder, error)) {
    return absl::NotFoundError(absl::StrCat("cannot write ", path, ": the folder ",
                                            folder.string(), " does not exist"));
  }
  if (access(folder.c_str(), W_OK) != 0) {
    return absl::PermissionDeniedError(absl::StrCat("cannot write ", path, ": the folder ",
                                                    folder.string(), " is not writable"));
  }
  return absl::OkStatus();
}

absl::Status WriteArtifact(const CompiledGraph& compiled, const targets::Target& target,
                           const std::string& path) {
  if (auto st = CheckArtifactPath(path); !st.ok()) return st;
  auto object = EmitObject(compiled.kernels, target);
  if (!object.ok()) return object.status();
  // Link next to the destination and rename, so a failed compile never
  // leaves a half-written artifact under the requested name.
  const std::string tmp_object = absl::StrCat(path, ".", getpid(), ".o");
  const std::string tmp_library = absl::StrCat(path, ".", getpid(), ".tmp");
  {
    std::ofstream out(tmp_object, std::ios::binary | std::ios::trunc);
    out.write(object->data(), object->size());
    if (!out) {
      return absl::PermissionDeniedError(
          absl::StrCat("cannot write ", path, " (its temporary object file ", tmp_object, ")"));
    }
  }
  absl::Status st = LinkSharedLibrary({tmp_object}, tmp_library);
  std::remove(tmp_object.c_str());
  if (st.ok()) st = runtime::AppendPlanToSharedObject(tmp_library, compiled.plan);
  if (st.ok() && std::rename(tmp_library.c_str(), path.c_str()) != 0) {
    st = absl::PermissionDeniedError(absl::StrCat("cannot write ", path));
  }
  if (!st.ok()) std::remove(tmp_library.c_str());
  return st;
}

}  // namespace kiln::codegen

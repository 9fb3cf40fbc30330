// If, Loop and Scan, resolved while importing: kiln compiles one static
// graph, so an If whose condition is constant (a shape test, or an input
// bound to its value) becomes the branch it takes, and a Loop with a
// constant trip count or condition, or a Scan over a sequence of known
// length, is unrolled into copies of its body. Control flow that depends on
// run-time data is refused, named.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"

namespace kiln::frontend {
namespace {

// Unrolling copies the body; past this many copies a loop is a mistake or an
// attack, not something to compile.
constexpr int64_t kMaxUnrolled = 4096;

absl::StatusOr<const onnx::GraphProto*> GraphAttr(ImportContext& c, const char* name) {
  const onnx::AttributeProto* a = c.Attr(name);
  if (a == nullptr || !a->has_g()) {
    return c.Invalid(absl::StrCat("the graph attribute '", name, "' is missing"));
  }
  return &a->g();
}

absl::StatusOr<bool> ConstantCondition(ImportContext& c, int input, const char* what) {
  KILN_ASSIGN(cond, c.RequiredConstant(input, what));
  if (cond.NumElements() != 1 || cond.dtype() != runtime::DType::kBool) {
    return c.Invalid(absl::StrCat(what, " must be one bool"));
  }
  return cond.data<uint8_t>()[0] != 0;
}

absl::StatusOr<bool> ConditionOf(ImportContext& c, int value, const char* what) {
  const graph::Value& v = c.graph().value(value);
  if (!v.constant) {
    return c.Unsupported(absl::StrCat(what, " computed from run-time values"));
  }
  if (v.constant->NumElements() != 1 || v.constant->dtype() != runtime::DType::kBool) {
    return c.Invalid(absl::StrCat(what, " must be one bool"));
  }
  return v.constant->data<uint8_t>()[0] != 0;
}

int ScalarConstant(ImportContext& c, const std::string& name, runtime::DType dtype,
                   int64_t value) {
  graph::NDArray a = *graph::NDArray::Empty({}, dtype);
  if (dtype == runtime::DType::kInt64) {
    a.data<int64_t>()[0] = value;
  } else {
    a.data<uint8_t>()[0] = value != 0;
  }
  return c.graph().AddConstant(name, std::move(a));
}

// `parts` stacked along a new axis `axis` (an unsqueeze of each, then one
// concat).
absl::StatusOr<int> Stack(ImportContext& c, const std::vector<int>& parts, int64_t axis) {
  std::vector<int> expanded;
  for (int part : parts) {
    std::vector<int64_t> shape = c.graph().value(part).type.shape;
    if (axis < 0 || axis > static_cast<int64_t>(shape.size())) {
      return c.Invalid(absl::StrCat("output axis ", axis, " is out of range"));
    }
    shape.insert(shape.begin() + axis, 1);
    KILN_ASSIGN(one, c.EmitStep("reshape", {part}, {{"shape", shape}}));
    expanded.push_back(one);
  }
  if (expanded.size() == 1) return expanded[0];
  return c.EmitStep("concat", expanded, {{"axis", axis}});
}

// Element `index` of `value` along `axis`, with that axis dropped.
absl::StatusOr<int> Take(ImportContext& c, int value, int64_t axis, int64_t index) {
  const std::vector<int64_t> shape = c.graph().value(value).type.shape;
  std::vector<int64_t> starts(shape.size(), 0), ends = shape, steps(shape.size(), 1);
  starts[axis] = index;
  ends[axis] = index + 1;
  KILN_ASSIGN(slice,
              c.EmitStep("slice", {value}, {{"starts", starts}, {"ends", ends}, {"steps", steps}}));
  std::vector<int64_t> dropped = shape;
  dropped.erase(dropped.begin() + axis);
  return c.EmitStep("reshape", {slice}, {{"shape", dropped}});
}

absl::Status If(ImportContext& c) {
  KILN_ASSIGN(take_then, ConstantCondition(c, 0, "If's condition"));
  KILN_ASSIGN(branch, GraphAttr(c, take_then ? "then_branch" : "else_branch"));
  KILN_ASSIGN(outputs, c.ConvertSubgraph(*branch, {}));
  if (static_cast<int>(outputs.size()) != c.node().output_size()) {
    return c.Invalid(absl::StrCat("the branch has ", outputs.size(), " outputs; the node has ",
                                  c.node().output_size()));
  }
  for (size_t k = 0; k < outputs.size(); ++k) c.Bind(c.node().output(k), outputs[k]);
  return absl::OkStatus();
}

// Loop(M, cond, v_initial...) -> (v_final..., scan_outputs...): the body
// maps (iteration, cond, v...) to (cond, v..., scan elements...).
absl::Status Loop(ImportContext& c) {
  KILN_ASSIGN(body, GraphAttr(c, "body"));
  int64_t trips = -1;  // none given: until the condition is false
  if (c.HasInput(0)) {
    KILN_ASSIGN(m, c.ConstantInts(0, "Loop's trip count"));
    if (m.size() != 1) return c.Invalid("the trip count must be one integer");
    trips = m[0];
  }
  bool cond = true;
  if (c.HasInput(1)) {
    KILN_ASSIGN(given, ConstantCondition(c, 1, "Loop's condition"));
    cond = given;
  }
  if (trips < 0 && !c.HasInput(1)) return c.Unsupported("a Loop with neither trip count nor condition");
  std::vector<int> carried;
  for (int i = 2; i < c.num_inputs(); ++i) {
    KILN_ASSIGN(v, c.Input(i));
    carried.push_back(v);
  }
  const int num_scans = body->output_size() - 1 - static_cast<int>(carried.size());
  if (num_scans < 0 || c.node().output_size() != static_cast<int>(carried.size()) + num_scans) {
    return c.Invalid(absl::StrCat("the body has ", body->output_size(), " outputs for ",
                                  carried.size(), " loop-carried values"));
  }
  std::vector<std::vector<int>> scans(num_scans);
  const std::string name = c.node().output_size() > 0 ? c.node().output(0) : "loop";
  for (int64_t i = 0; cond && (trips < 0 || i < trips); ++i) {
    if (i >= kMaxUnrolled) {
      return c.Unsupported(absl::StrCat("a Loop of more than ", kMaxUnrolled,
                                        " iterations (kiln unrolls loops)"));
    }
    std::vector<int> inputs = {
        ScalarConstant(c, absl::StrCat(name, "_iteration_", i), runtime::DType::kInt64, i),
        ScalarConstant(c, absl::StrCat(name, "_condition_", i), runtime::DType::kBool, 1)};
    inputs.insert(inputs.end(), carried.begin(), carried.end());
    KILN_ASSIGN(outputs, c.ConvertSubgraph(*body, inputs));
    KILN_ASSIGN(next, ConditionOf(c, outputs[0], "a Loop condition"));
    cond = next;
    std::copy(outputs.begin() + 1, outputs.begin() + 1 + carried.size(), carried.begin());
    for (int s = 0; s < num_scans; ++s) scans[s].push_back(outputs[1 + carried.size() + s]);
  }
  for (size_t k = 0; k < carried.size(); ++k) c.Bind(c.node().output(k), carried[k]);
  for (int s = 0; s < num_scans; ++s) {
    if (scans[s].empty()) return c.Unsupported("scan outputs of a Loop that runs no iteration");
    KILN_ASSIGN(stacked, Stack(c, scans[s], 0));
    c.Bind(c.node().output(carried.size() + s), stacked);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int64_t>> IntsOr(ImportContext& c, const char* name, size_t count) {
  KILN_ASSIGN(v, c.AttrInts(name, std::vector<int64_t>(count, 0)));
  if (v.size() != count) {
    return c.Invalid(absl::StrCat(name, " has ", v.size(), " values; expected ", count));
  }
  return v;
}

// The time loop both Scan versions share: `length` steps of `body` over
// (states, one element of each sequence along its axis, backwards where
// its direction is 1), updating `states` and appending each step's scan
// outputs to `scans`.
absl::Status ScanSteps(ImportContext& c, const onnx::GraphProto& body,
                       const std::vector<int>& sequences, const std::vector<int64_t>& axes,
                       const std::vector<int64_t>& directions, int64_t length,
                       std::vector<int>& states, std::vector<std::vector<int>>& scans) {
  for (int64_t t = 0; t < length; ++t) {
    std::vector<int> inputs = states;
    for (size_t j = 0; j < sequences.size(); ++j) {
      KILN_ASSIGN(element, Take(c, sequences[j], axes[j], directions[j] ? length - 1 - t : t));
      inputs.push_back(element);
    }
    KILN_ASSIGN(outputs, c.ConvertSubgraph(body, inputs));
    if (outputs.size() != states.size() + scans.size()) {
      return c.Invalid(absl::StrCat("the body has ", outputs.size(), " outputs; expected ",
                                    states.size() + scans.size()));
    }
    std::copy(outputs.begin(), outputs.begin() + states.size(), states.begin());
    for (size_t k = 0; k < scans.size(); ++k) scans[k].push_back(outputs[states.size() + k]);
  }
  return absl::OkStatus();
}

// Scan (opset 9 on): states and scan inputs in, final states and stacked
// scan outputs out; each scan input is cut along its axis (backwards where
// its direction is 1) and each scan output stacked along its own.
absl::Status Scan(ImportContext& c) {
  KILN_ASSIGN(body, GraphAttr(c, "body"));
  KILN_ASSIGN(num_scan_inputs, c.AttrInt("num_scan_inputs", std::nullopt));
  const int num_states = c.num_inputs() - static_cast<int>(num_scan_inputs);
  const int num_scan_outputs = c.node().output_size() - num_states;
  if (num_scan_inputs < 1 || num_states < 0 || num_scan_outputs < 0) {
    return c.Invalid(absl::StrCat("num_scan_inputs ", num_scan_inputs, " does not fit ",
                                  c.num_inputs(), " inputs"));
  }
  KILN_ASSIGN(input_axes, IntsOr(c, "scan_input_axes", num_scan_inputs));
  KILN_ASSIGN(input_directions, IntsOr(c, "scan_input_directions", num_scan_inputs));
  KILN_ASSIGN(output_axes, IntsOr(c, "scan_output_axes", num_scan_outputs));
  KILN_ASSIGN(output_directions, IntsOr(c, "scan_output_directions", num_scan_outputs));
  KILN_ASSIGN(values, Inputs(c, c.num_inputs()));
  std::vector<int> states(values.begin(), values.begin() + num_states);
  int64_t length = -1;
  for (int j = 0; j < num_scan_inputs; ++j) {
    const std::vector<int64_t>& shape = c.graph().value(values[num_states + j]).type.shape;
    int64_t& axis = input_axes[j];
    if (axis < 0) axis += static_cast<int64_t>(shape.size());
    if (axis < 0 || axis >= static_cast<int64_t>(shape.size())) {
      return c.Invalid(absl::StrCat("scan input ", j, " has no axis ", input_axes[j]));
    }
    if (length >= 0 && shape[axis] != length) {
      return c.Invalid("the scan inputs have different sequence lengths");
    }
    length = shape[axis];
  }
  if (length < 1 && num_scan_outputs > 0) return c.Unsupported("scan outputs of an empty scan");
  if (length > kMaxUnrolled) {
    return c.Unsupported(absl::StrCat("a Scan over more than ", kMaxUnrolled,
                                      " steps (kiln unrolls scans)"));
  }
  std::vector<std::vector<int>> scans(num_scan_outputs);
  const std::vector<int> sequences(values.begin() + num_states, values.end());
  if (auto st = ScanSteps(c, *body, sequences, input_axes, input_directions, length, states, scans);
      !st.ok()) {
    return st;
  }
  for (int k = 0; k < num_states; ++k) c.Bind(c.node().output(k), states[k]);
  for (int k = 0; k < num_scan_outputs; ++k) {
    if (output_directions[k]) std::reverse(scans[k].begin(), scans[k].end());
    int64_t axis = output_axes[k];
    const int64_t rank = static_cast<int64_t>(c.graph().value(scans[k][0]).type.shape.size()) + 1;
    if (axis < 0) axis += rank;
    KILN_ASSIGN(stacked, Stack(c, scans[k], axis));
    c.Bind(c.node().output(num_states + k), stacked);
  }
  return absl::OkStatus();
}

// Scan-8: every input has a batch axis in front (scan inputs [batch, time,
// ...]), the body runs per batch element, and an optional first input gives
// each element's sequence length (kiln takes only full lengths).
absl::Status Scan8(ImportContext& c) {
  KILN_ASSIGN(body, GraphAttr(c, "body"));
  KILN_ASSIGN(num_scan_inputs, c.AttrInt("num_scan_inputs", std::nullopt));
  const int num_states = c.num_inputs() - 1 - static_cast<int>(num_scan_inputs);
  const int num_scan_outputs = c.node().output_size() - num_states;
  if (num_scan_inputs < 1 || num_states < 0 || num_scan_outputs < 0) {
    return c.Invalid(absl::StrCat("num_scan_inputs ", num_scan_inputs, " does not fit ",
                                  c.num_inputs(), " inputs"));
  }
  KILN_ASSIGN(directions, IntsOr(c, "directions", num_scan_inputs));
  std::vector<int> values;
  for (int i = 1; i < c.num_inputs(); ++i) {
    KILN_ASSIGN(v, c.Input(i));
    values.push_back(v);
  }
  const std::vector<int64_t>& first = c.graph().value(values[num_states]).type.shape;
  if (first.size() < 2) return c.Invalid("scan inputs need a batch and a sequence axis");
  const int64_t batch = first[0], length = first[1];
  if (c.HasInput(0)) {
    KILN_ASSIGN(lengths, c.ConstantInts(0, "Scan's sequence lengths"));
    for (int64_t l : lengths) {
      if (l != length) return c.Unsupported("sequences shorter than the scan inputs");
    }
  }
  if (batch * length > kMaxUnrolled) {
    return c.Unsupported(absl::StrCat("a Scan over more than ", kMaxUnrolled,
                                      " steps (kiln unrolls scans)"));
  }
  std::vector<std::vector<int>> final_states(num_states), per_batch(num_scan_outputs);
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<int> states, sequences;
    for (int k = 0; k < num_states; ++k) {
      KILN_ASSIGN(state, Take(c, values[k], 0, b));
      states.push_back(state);
    }
    for (int j = 0; j < num_scan_inputs; ++j) {
      KILN_ASSIGN(sequence, Take(c, values[num_states + j], 0, b));
      sequences.push_back(sequence);
    }
    std::vector<std::vector<int>> steps(num_scan_outputs);
    const std::vector<int64_t> time_axes(num_scan_inputs, 0);
    if (auto st = ScanSteps(c, *body, sequences, time_axes, directions, length, states, steps);
        !st.ok()) {
      return st;
    }
    for (int k = 0; k < num_states; ++k) final_states[k].push_back(states[k]);
    for (int k = 0; k < num_scan_outputs; ++k) {
      KILN_ASSIGN(stacked, Stack(c, steps[k], 0));
      per_batch[k].push_back(stacked);
    }
  }
  for (int k = 0; k < num_states; ++k) {
    KILN_ASSIGN(stacked, Stack(c, final_states[k], 0));
    c.Bind(c.node().output(k), stacked);
  }
  for (int k = 0; k < num_scan_outputs; ++k) {
    KILN_ASSIGN(stacked, Stack(c, per_batch[k], 0));
    c.Bind(c.node().output(num_states + k), stacked);
  }
  return absl::OkStatus();
}

KILN_REGISTER_ONNX_CONVERTER(If, 1, kLatestOpset, If);
KILN_REGISTER_ONNX_CONVERTER(Loop, 1, kLatestOpset, Loop);
KILN_REGISTER_ONNX_CONVERTER(Scan, 8, 8, Scan8);
KILN_REGISTER_ONNX_CONVERTER(Scan, 9, kLatestOpset, Scan);

}  // namespace
}  // namespace kiln::frontend

// LSTM, GRU and RNN (opsets 1 on; 14 added layout = 1, batch first). Each
// becomes its time steps unrolled into kiln operators, as TVM's importer
// does: the input projection of every step is one gemm up front, then each
// step is one gemm with the recurrent weights and the gate arithmetic,
// which the elementwise fusion pass turns into one fused kernel per step.
// sequence_lens masks a batch entry's steps from its length on: its state
// is held and its outputs are zero, which with steps taken from the last
// one backwards is also what the reverse direction asks for.
#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "frontend/converters/converter_util.h"
#include "frontend/converters/graph_steps.h"

namespace kiln::frontend {
namespace {

enum class Cell { kLstm, kGru, kRnn };

int GateCount(Cell cell) { return cell == Cell::kLstm ? 4 : cell == Cell::kGru ? 3 : 1; }

// One activation function of the cell with its alpha and beta.
struct Activation {
  std::string name;  // lower case
  double alpha = 0, beta = 0;
};

// The activations of `directions` directions: the attribute's or the cell's
// defaults, with activation_alpha and activation_beta consumed in order by
// the functions that take them.
absl::StatusOr<std::vector<Activation>> ReadActivations(ImportContext& c, Cell cell,
                                                        int directions) {
  std::vector<std::string> names;
  if (const auto* a = c.Attr("activations"); a != nullptr) {
    names.assign(a->strings().begin(), a->strings().end());
  } else {
    const std::vector<std::string> defaults =
        cell == Cell::kLstm  ? std::vector<std::string>{"Sigmoid", "Tanh", "Tanh"}
        : cell == Cell::kGru ? std::vector<std::string>{"Sigmoid", "Tanh"}
                             : std::vector<std::string>{"Tanh"};
    for (int d = 0; d < directions; ++d) names.insert(names.end(), defaults.begin(), defaults.end());
  }
  const size_t per_direction = cell == Cell::kLstm ? 3 : cell == Cell::kGru ? 2 : 1;
  if (names.size() != per_direction * directions) {
    return c.Invalid(absl::StrCat(names.size(), " activations; expected ",
                                  per_direction * directions));
  }
  std::vector<float> alphas, betas;
  if (const auto* a = c.Attr("activation_alpha")) alphas.assign(a->floats().begin(), a->floats().end());
  if (const auto* a = c.Attr("activation_beta")) betas.assign(a->floats().begin(), a->floats().end());
  size_t next_alpha = 0, next_beta = 0;
  std::vector<Activation> out;
  for (const std::string& n : names) {
    Activation act{absl::AsciiStrToLower(n)};
    struct Params {
      const char* name;
      std::optional<double> alpha, beta;  // defaults; absent when not taken
    };
    static const Params kParams[] = {
        {"relu", {}, {}},           {"tanh", {}, {}},
        {"sigmoid", {}, {}},        {"softsign", {}, {}},
        {"softplus", {}, {}},       {"leakyrelu", 0.01, {}},
        {"thresholdedrelu", 1.0, {}}, {"elu", 1.0, {}},
        {"hardsigmoid", 0.2, 0.5},  {"scaledtanh", 1.0, 1.0},
        {"affine", 1.0, 0.0},
    };
    const Params* p = nullptr;
    for (const Params& k : kParams) {
      if (act.name == k.name) p = &k;
    }
    if (p == nullptr) return c.Unsupported(absl::StrCat("activation '", n, "'"));
    if (p->alpha) act.alpha = next_alpha < alphas.size() ? alphas[next_alpha++] : *p->alpha;
    if (p->beta) act.beta = next_beta < betas.size() ? betas[next_beta++] : *p->beta;
    out.push_back(act);
  }
  return out;
}

class Recurrence {
 public:
  Recurrence(GraphSteps& s, Cell cell, std::optional<double> clip, bool linear_before_reset,
             bool input_forget)
      : s_(s), cell_(cell), clip_(clip), linear_before_reset_(linear_before_reset),
        input_forget_(input_forget) {}

  // Applies `act` to value v, clipped first when `clipped` (clip bounds the
  // gates' inputs; as in ONNX Runtime, not the LSTM cell state's).
  int Activate(const Activation& act, int v, bool clipped = true) {
    if (clip_ && clipped) v = s_.Op("clip", {v}, {{"min", -*clip_}, {"max", *clip_}});
    const std::string& n = act.name;
    if (n == "leakyrelu") return s_.Op("leaky_relu", {v}, {{"alpha", act.alpha}});
    if (n == "thresholdedrelu") return s_.Op("thresholded_relu", {v}, {{"alpha", act.alpha}});
    if (n == "elu") return s_.Op("elu", {v}, {{"alpha", act.alpha}});
    if (n == "hardsigmoid") {
      return s_.Op("hard_sigmoid", {v}, {{"alpha", act.alpha}, {"beta", act.beta}});
    }
    if (n == "scaledtanh") {
      const int inner = s_.Op("mul", {v, s_.Scalar(static_cast<float>(act.beta))});
      return s_.Op("mul", {s_.Op("tanh", {inner}), s_.Scalar(static_cast<float>(act.alpha))});
    }
    if (n == "affine") {
      const int scaled = s_.Op("mul", {v, s_.Scalar(static_cast<float>(act.alpha))});
      return s_.Op("add", {scaled, s_.Scalar(static_cast<float>(act.beta))});
    }
    return s_.Op(n, {v});  // relu, tanh, sigmoid, softsign, softplus
  }

  int Gemm(int a, int b_transposed, int bias) {
    std::vector<int> in = {a, b_transposed};
    if (bias >= 0) in.push_back(bias);
    return s_.Op("gemm", in, {{"trans_b", int64_t{1}}});
  }

  // The weights of one direction, sliced once for all its steps.
  struct Weights {
    int w = -1, r = -1, wb = -1, rb = -1;     // [G*H, I], [G*H, H], [G*H], [G*H]
    int r_zr = -1, r_h = -1, rb_zr = -1, rb_h = -1;  // GRU's recurrent halves
    int p_i = -1, p_o = -1, p_f = -1;         // LSTM's peepholes, [H]
  };

  // One step from state (h, c) and the step's input projection xw
  // [B, G*H]; returns the new (h, c).
  std::pair<int, int> Step(const Weights& w, const std::vector<Activation>& act, int xw, int h,
                           int c, int64_t hidden) {
    auto gate = [&](int v, int k) { return s_.Slice(v, 1, k * hidden, (k + 1) * hidden); };
    switch (cell_) {
      case Cell::kRnn:
        return {Activate(act[0], s_.Op("add", {xw, Gemm(h, w.r, w.rb)})), -1};
      case Cell::kLstm: {
        const int gates = s_.Op("add", {xw, Gemm(h, w.r, w.rb)});
        int i = gate(gates, 0), o = gate(gates, 1), f = gate(gates, 2);
        if (w.p_i >= 0) {
          i = s_.Op("add", {i, s_.Op("mul", {w.p_i, c})});
          f = s_.Op("add", {f, s_.Op("mul", {w.p_f, c})});
        }
        i = Activate(act[0], i);
        f = input_forget_ ? s_.Op("sub", {s_.Scalar(1.0f), i}) : Activate(act[0], f);
        const int candidate = Activate(act[1], gate(gates, 3));
        const int c_new =
            s_.Op("add", {s_.Op("mul", {f, c}), s_.Op("mul", {i, candidate})});
        if (w.p_o >= 0) o = s_.Op("add", {o, s_.Op("mul", {w.p_o, c_new})});
        o = Activate(act[0], o);
        return {s_.Op("mul", {o, Activate(act[2], c_new, /*clipped=*/false)}), c_new};
      }
      case Cell::kGru: {
        int z, r, candidate;
        if (linear_before_reset_) {
          const int hr = Gemm(h, w.r, w.rb);
          z = Activate(act[0], s_.Op("add", {gate(xw, 0), gate(hr, 0)}));
          r = Activate(act[0], s_.Op("add", {gate(xw, 1), gate(hr, 1)}));
          candidate = s_.Op("add", {gate(xw, 2), s_.Op("mul", {r, gate(hr, 2)})});
        } else {
          const int zr = s_.Op("add", {s_.Slice(xw, 1, 0, 2 * hidden), Gemm(h, w.r_zr, w.rb_zr)});
          z = Activate(act[0], gate(zr, 0));
          r = Activate(act[0], gate(zr, 1));
          candidate = s_.Op("add", {gate(xw, 2), Gemm(s_.Op("mul", {r, h}), w.r_h, w.rb_h)});
        }
        candidate = Activate(act[1], candidate);
        // (1 - z) * candidate + z * h
        return {s_.Op("add", {candidate, s_.Op("mul", {z, s_.Op("sub", {h, candidate})})}), -1};
      }
    }
    return {-1, -1};
  }

 private:
  GraphSteps& s_;
  Cell cell_;
  std::optional<double> clip_;
  bool linear_before_reset_, input_forget_;
};

Converter RecurrentLayer(Cell cell) {
  return [cell](ImportContext& c) -> absl::Status {
    KILN_ASSIGN(direction, c.AttrString("direction", "forward"));
    if (direction != "forward" && direction != "reverse" && direction != "bidirectional") {
      return c.Invalid(absl::StrCat("direction '", direction,
                                    "'; expected forward, reverse or bidirectional"));
    }
    const int directions = direction == "bidirectional" ? 2 : 1;
    KILN_ASSIGN(layout, c.AttrInt("layout", 0));
    KILN_ASSIGN(lbr, c.AttrInt("linear_before_reset", 0));
    KILN_ASSIGN(input_forget, c.AttrInt("input_forget", 0));
    std::optional<double> clip;
    if (c.Attr("clip") != nullptr) {
      KILN_ASSIGN(value, c.AttrFloat("clip", std::nullopt));
      clip = value;
    }
    KILN_ASSIGN(acts, ReadActivations(c, cell, directions));
    KILN_ASSIGN(in, Inputs(c, 3));
    // The optional inputs, -1 when absent: B, sequence_lens, initial_h,
    // and LSTM's initial_c and P.
    KILN_ASSIGN(bias, c.Input(3));
    KILN_ASSIGN(lens, c.Input(4));
    KILN_ASSIGN(initial_h, c.Input(5));
    KILN_ASSIGN(initial_c, cell == Cell::kLstm ? c.Input(6) : absl::StatusOr<int>(-1));
    KILN_ASSIGN(peepholes, cell == Cell::kLstm ? c.Input(7) : absl::StatusOr<int>(-1));
    for (int k = 0; k < 3; ++k) {
      if (c.InputType(k).dtype != runtime::DType::kFloat32) {
        return c.Unsupported(absl::StrCat(runtime::DTypeName(c.InputType(k).dtype), " operands"));
      }
    }
    GraphSteps s(c);
    const int gates = GateCount(cell);
    int x = in[0];
    if (s.Shape(x).size() != 3) return c.Invalid("X must be of rank 3");
    // Layout 1 (batch first) transposes X [B, T, I] and the initial states
    // [B, D, H] to layout 0 and the outputs back.
    auto swap_leading = [&](int v) {
      return v < 0 || layout == 0
                 ? v
                 : s.Op("transpose", {v}, {{"perm", std::vector<int64_t>{1, 0, 2}}});
    };
    x = swap_leading(x);
    const int h_init = swap_leading(initial_h), c_init = swap_leading(initial_c);
    const std::vector<int64_t> xs = s.Shape(x);
    const int64_t steps = xs[0], batch = xs[1], input_size = xs[2];
    const std::vector<int64_t>& rs = s.Shape(in[2]);
    if (rs.size() != 3 || rs[0] != directions || rs[1] % gates != 0 || rs[2] * gates != rs[1]) {
      return c.Invalid(absl::StrCat("R of shape ", runtime::ShapeToString(rs), "; expected [",
                                    directions, ", ", gates, " * hidden, hidden]"));
    }
    const int64_t hidden = rs[2], gh = gates * hidden;
    // The attribute is optional (R's shape says it); given, it must agree.
    KILN_ASSIGN(hidden_size, c.AttrInt("hidden_size", hidden));
    if (hidden_size != hidden) {
      return c.Invalid(absl::StrCat("hidden_size ", hidden_size, " but R of shape ",
                                    runtime::ShapeToString(rs), " has hidden size ", hidden));
    }
    if (s.Shape(in[1]) != std::vector<int64_t>{directions, gh, input_size}) {
      return c.Invalid(absl::StrCat("W of shape ", runtime::ShapeToString(s.Shape(in[1])),
                                    "; expected [", directions, ", ", gh, ", ", input_size, "]"));
    }
    // The optional inputs' shapes, in layout 0 (the states are transposed
    // below for layout 1).
    const std::vector<int64_t> state_layout =
        layout == 0 ? std::vector<int64_t>{directions, batch, hidden}
                    : std::vector<int64_t>{batch, directions, hidden};
    const std::vector<std::pair<int, std::vector<int64_t>>> expected = {
        {bias, {directions, 2 * gh}}, {lens, {batch}}, {initial_h, state_layout},
        {initial_c, state_layout}, {peepholes, {directions, 3 * hidden}}};
    for (const auto& [value, shape] : expected) {
      if (value >= 0 && c.graph().value(value).type.shape != shape) {
        return c.Invalid(absl::StrCat("an optional input of shape ",
                                      runtime::ShapeToString(c.graph().value(value).type.shape),
                                      "; expected ", runtime::ShapeToString(shape)));
      }
    }
    const std::vector<int64_t> state_shape = {batch, hidden};
    auto direction_slice = [&](int v, int d, std::vector<int64_t> shape) {
      return s.Reshape(s.Slice(v, 0, d, d + 1), std::move(shape));
    };
    // [B, 1]: a batch entry's length, to compare each step's index with.
    const int lengths = lens < 0 ? -1
                                 : s.Reshape(s.Cast(lens, runtime::DType::kFloat32), {batch, 1});
    const int zeros = s.Constant(state_shape, std::vector<float>(batch * hidden, 0.0f));
    const int flat_x = s.Reshape(x, {steps * batch, input_size});
    Recurrence rec(s, cell, clip, lbr != 0, input_forget != 0);
    std::vector<int> ys, hs, cs;
    for (int d = 0; d < directions; ++d) {
      const bool reverse = direction == "reverse" || d == 1;
      Recurrence::Weights w;
      w.w = direction_slice(in[1], d, {gh, input_size});
      w.r = direction_slice(in[2], d, {gh, hidden});
      if (bias >= 0) {
        const int b = direction_slice(bias, d, {2 * gh});
        w.wb = s.Slice(b, 0, 0, gh);
        w.rb = s.Slice(b, 0, gh, 2 * gh);
      }
      if (cell == Cell::kGru && lbr == 0) {
        w.r_zr = s.Slice(w.r, 0, 0, 2 * hidden);
        w.r_h = s.Slice(w.r, 0, 2 * hidden, gh);
        if (w.rb >= 0) {
          w.rb_zr = s.Slice(w.rb, 0, 0, 2 * hidden);
          w.rb_h = s.Slice(w.rb, 0, 2 * hidden, gh);
        }
      }
      if (peepholes >= 0) {
        const int p = direction_slice(peepholes, d, {3 * hidden});
        w.p_i = s.Slice(p, 0, 0, hidden);
        w.p_o = s.Slice(p, 0, hidden, 2 * hidden);
        w.p_f = s.Slice(p, 0, 2 * hidden, 3 * hidden);
      }
      const std::vector<Activation> act(acts.begin() + d * acts.size() / directions,
                                        acts.begin() + (d + 1) * acts.size() / directions);
      const int xw = rec.Gemm(flat_x, w.w, w.wb);  // [T * B, G * H]
      int h = h_init >= 0 ? direction_slice(h_init, d, state_shape) : zeros;
      int cell_state = c_init >= 0 ? direction_slice(c_init, d, state_shape) : zeros;
      std::vector<int> y(steps);
      for (int64_t k = 0; k < steps && s.status().ok(); ++k) {
        const int64_t t = reverse ? steps - 1 - k : k;
        const int step_xw = s.Slice(xw, 0, t * batch, (t + 1) * batch);
        auto [h_new, c_new] = rec.Step(w, act, step_xw, h, cell_state, hidden);
        if (lengths >= 0) {
          const int live = s.Op("less", {s.Scalar(static_cast<float>(t)), lengths});
          y[t] = s.Op("where", {live, h_new, s.Scalar(0.0f)});
          h = s.Op("where", {live, h_new, h});
          if (c_new >= 0) cell_state = s.Op("where", {live, c_new, cell_state});
        } else {
          y[t] = h = h_new;
          if (c_new >= 0) cell_state = c_new;
        }
      }
      for (int& v : y) v = s.Reshape(v, {1, 1, batch, hidden});
      ys.push_back(s.Concat(y, 0));
      hs.push_back(s.Reshape(h, {1, batch, hidden}));
      if (cell == Cell::kLstm) cs.push_back(s.Reshape(cell_state, {1, batch, hidden}));
    }
    // Y [T, D, B, H] (layout 1: [B, T, D, H]); Y_h and Y_c [D, B, H]
    // (layout 1: [B, D, H]).
    int y = s.Concat(ys, 1);
    int y_h = s.Concat(hs, 0), y_c = cs.empty() ? -1 : s.Concat(cs, 0);
    if (layout != 0) {
      y = s.Op("transpose", {y}, {{"perm", std::vector<int64_t>{2, 0, 1, 3}}});
      y_h = swap_leading(y_h);
      y_c = swap_leading(y_c);
    }
    if (!s.status().ok()) return s.status();
    const std::vector<int> outputs = {y, y_h, y_c};
    for (int k = 0; k < c.node().output_size() && k < 3; ++k) {
      if (!c.node().output(k).empty() && outputs[k] >= 0) c.Alias(outputs[k], k);
    }
    return absl::OkStatus();
  };
}

KILN_REGISTER_ONNX_CONVERTER(LSTM, 1, kLatestOpset, RecurrentLayer(Cell::kLstm));
KILN_REGISTER_ONNX_CONVERTER(GRU, 1, kLatestOpset, RecurrentLayer(Cell::kGru));
KILN_REGISTER_ONNX_CONVERTER(RNN, 1, kLatestOpset, RecurrentLayer(Cell::kRnn));

}  // namespace
}  // namespace kiln::frontend

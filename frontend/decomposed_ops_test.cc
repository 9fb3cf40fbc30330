// The ONNX operators kiln imports as decompositions into its own operators
// (losses, recurrent layers, normalizations, OneHot, EyeLike, Shrink, 3-D
// convolution and pooling, Einsum),
// checked against plain loops written from the ONNX specification on
// awkward shapes (odd sizes, size-1 dimensions), through the reference
// interpreter and compiled.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "frontend/model_builder.h"
#include "frontend/onnx_importer.h"
#include "frontend/testing/both_paths.h"
#include "gtest/gtest.h"
#include "ir/graph/op_registry.h"
#include "ir/ops/testing/op_test_util.h"
#include "onnx/onnx_pb.h"

namespace kiln::frontend {
namespace {

using graph::NDArray;
using Feeds = std::vector<std::pair<std::string, NDArray>>;

NDArray Floats(std::vector<int64_t> shape, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  NDArray a = *NDArray::Empty(shape, runtime::DType::kFloat32);
  const auto v = ir::ops::testing::RandomFloats(a.NumElements(), seed, lo, hi);
  std::copy(v.begin(), v.end(), a.data<float>());
  return a;
}

std::vector<float> Values(const NDArray& a) {
  return std::vector<float>(a.data<float>(), a.data<float>() + a.NumElements());
}

// Adds an integer initializer of `type` (INT32 or INT64) to a serialized
// model; ModelBuilder writes only float and int64 constants.
std::string WithInitializer(const std::string& bytes, const std::string& name,
                            std::vector<int64_t> shape, const std::vector<int64_t>& data,
                            onnx::TensorProto::DataType type) {
  onnx::ModelProto model;
  EXPECT_TRUE(model.ParseFromString(bytes));
  onnx::TensorProto* t = model.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(type);
  for (int64_t d : shape) t->add_dims(d);
  for (int64_t v : data) {
    if (type == onnx::TensorProto::INT32) {
      t->add_int32_data(static_cast<int32_t>(v));
    } else {
      t->add_int64_data(v);
    }
  }
  return model.SerializeAsString();
}

// Every output of the model, by the reference interpreter and compiled; the
// two must agree closely (integer results exactly), and the reference's are
// returned.
std::vector<NDArray> RunBoth(const std::string& bytes, const Feeds& feeds) {
  auto both = testing::RunBothPaths(bytes, {feeds.begin(), feeds.end()});
  EXPECT_TRUE(both.ok()) << both.status();
  if (!both.ok()) return {};
  testing::ExpectSameResults(*both, 1e-4f);
  return both->reference;
}

// ---- losses ----

struct LossCase {
  std::vector<int64_t> shape;  // [N, C, d...]
  std::string reduction;
  bool weighted;
  std::optional<int64_t> ignore_index;
};

// NegativeLogLikelihoodLoss from the specification, on log-probabilities x.
std::vector<float> NllReference(const LossCase& lc, const std::vector<float>& x,
                                const std::vector<int64_t>& target,
                                const std::vector<float>& weight) {
  const int64_t n = lc.shape[0], classes = lc.shape[1];
  int64_t inner = 1;
  for (size_t d = 2; d < lc.shape.size(); ++d) inner *= lc.shape[d];
  std::vector<float> loss(n * inner);
  double total = 0, total_weight = 0;
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t t = target[b * inner + i];
      float l = 0, w = 0;
      if (!(lc.ignore_index && t == *lc.ignore_index)) {
        w = lc.weighted ? weight[t] : 1.0f;
        l = -x[(b * classes + t) * inner + i] * w;
      }
      loss[b * inner + i] = l;
      total += l;
      total_weight += w;
    }
  }
  if (lc.reduction == "sum") return {static_cast<float>(total)};
  if (lc.reduction == "mean") return {static_cast<float>(total / total_weight)};
  return loss;
}

TEST(DecomposedOpsTest, LossesMatchTheSpecificationForEveryReduction) {
  const std::vector<LossCase> cases = {
      {{3, 5}, "mean", false, std::nullopt},
      {{3, 5, 7}, "none", true, 2},
      {{1, 4, 3, 1}, "sum", true, -1},
      {{2, 3, 1, 5}, "mean", true, 0},
      {{5, 1}, "mean", false, std::nullopt},
  };
  uint32_t seed = 1;
  for (const LossCase& lc : cases) {
    for (bool softmax : {false, true}) {
      SCOPED_TRACE(::testing::Message() << "case of shape [" << lc.shape[0] << ", "
                                        << lc.shape[1] << " ...] " << lc.reduction
                                        << (softmax ? " softmax cross-entropy" : " nll"));
      const int64_t classes = lc.shape[1];
      std::vector<int64_t> target_shape = lc.shape;
      target_shape.erase(target_shape.begin() + 1);
      int64_t count = 1;
      for (int64_t d : target_shape) count *= d;
      std::mt19937 rng(seed);
      std::vector<int64_t> target(count);
      for (int64_t& t : target) t = static_cast<int64_t>(rng() % classes);
      if (lc.ignore_index && *lc.ignore_index >= 0) target[0] = *lc.ignore_index;  // one ignored
      const NDArray x = Floats(lc.shape, seed++, -3.0f, 0.0f);
      const NDArray weight = Floats({classes}, seed++, 0.5f, 2.0f);

      ModelBuilder b("loss", 13, 0);
      b.AddInput("x", lc.shape);
      std::vector<std::string> inputs = {"x", "target"};
      if (lc.weighted) {
        b.AddInput("weight", {classes});
        inputs.push_back("weight");
      }
      onnx::NodeProto* n = b.Node(softmax ? "SoftmaxCrossEntropyLoss" : "NegativeLogLikelihoodLoss",
                                  inputs, "loss");
      ModelBuilder::String(n, "reduction", lc.reduction);
      if (lc.ignore_index) ModelBuilder::Int(n, "ignore_index", *lc.ignore_index);
      if (softmax) n->add_output("log_prob");
      b.AddOutput("loss", {});
      if (softmax) b.AddOutput("log_prob", lc.shape);
      auto bytes = b.Serialize();
      ASSERT_TRUE(bytes.ok()) << bytes.status();
      // A constant target folds its cast, so the whole loss compiles.
      Feeds feeds = {{"x", x}};
      if (lc.weighted) feeds.push_back({"weight", weight});
      const auto got = RunBoth(WithInitializer(*bytes, "target", target_shape, target,
                                               onnx::TensorProto::INT64), feeds);
      ASSERT_EQ(got.size(), softmax ? 2u : 1u);

      std::vector<float> log_prob = Values(x);
      if (softmax) {  // log_softmax over the class axis
        const int64_t inner = x.NumElements() / (lc.shape[0] * classes);
        for (int64_t o = 0; o < lc.shape[0]; ++o) {
          for (int64_t i = 0; i < inner; ++i) {
            auto at = [&](int64_t k) -> float& { return log_prob[(o * classes + k) * inner + i]; };
            float max = at(0);
            for (int64_t k = 1; k < classes; ++k) max = std::max(max, at(k));
            double sum = 0;
            for (int64_t k = 0; k < classes; ++k) sum += std::exp(at(k) - max);
            for (int64_t k = 0; k < classes; ++k) at(k) -= max + static_cast<float>(std::log(sum));
          }
        }
        ir::ops::testing::ExpectAllNear(Values(got[1]), log_prob, 1e-5f, "log_prob");
      }
      ir::ops::testing::ExpectAllNear(
          Values(got[0]), NllReference(lc, log_prob, target, Values(weight)), 1e-5f, "loss");
    }
  }
}

TEST(DecomposedOpsTest, LossTargetsAtRunTimeRunOnTheReferencePath) {
  ModelBuilder b("loss", 13, 0);
  b.AddInput("x", {2, 3});
  b.Node("NegativeLogLikelihoodLoss", {"x", "target"}, "loss");
  b.AddOutput("loss", {});
  auto bytes = b.Serialize();
  ASSERT_TRUE(bytes.ok());
  onnx::ModelProto model;
  ASSERT_TRUE(model.ParseFromString(*bytes));
  auto* target = model.mutable_graph()->add_input();
  target->set_name("target");
  auto* type = target->mutable_type()->mutable_tensor_type();
  type->set_elem_type(onnx::TensorProto::INT32);
  type->mutable_shape()->add_dim()->set_dim_value(2);
  auto g = ImportOnnxBytes(model.SerializeAsString());
  ASSERT_TRUE(g.ok()) << g.status();
  NDArray t = *NDArray::Empty({2}, runtime::DType::kInt32);
  t.data<int32_t>()[0] = 2;
  t.data<int32_t>()[1] = 0;
  const NDArray x = Floats({2, 3}, 7);
  auto loss = graph::Evaluate(*g, {{"x", x}, {"target", t}});
  ASSERT_TRUE(loss.ok()) << loss.status();
  EXPECT_NEAR((*loss)[0].data<float>()[0], -(x.data<float>()[2] + x.data<float>()[3]) / 2, 1e-6);
}

// ---- recurrent layers ----

enum class Cell { kLstm, kGru, kRnn };

struct RnnCase {
  Cell cell;
  std::string direction;
  int64_t steps, batch, input, hidden;
  bool bias, initial, peepholes, lengths, linear_before_reset;
  std::optional<float> clip;
  int64_t layout;
};

float Sigmoid(float v) { return 1.0f / (1.0f + std::exp(-v)); }

// The layer from the specification, one batch entry and one step at a time,
// with default activations. Returns Y, Y_h and (LSTM) Y_c in layout 0.
std::vector<std::vector<float>> RnnReference(const RnnCase& rc, const std::vector<float>& x,
                                             const std::vector<float>& w,
                                             const std::vector<float>& r,
                                             const std::vector<float>& bias,
                                             const std::vector<float>& h0,
                                             const std::vector<float>& c0,
                                             const std::vector<float>& p,
                                             const std::vector<int64_t>& lengths) {
  const int64_t gates = rc.cell == Cell::kLstm ? 4 : rc.cell == Cell::kGru ? 3 : 1;
  const int64_t dirs = rc.direction == "bidirectional" ? 2 : 1;
  const int64_t T = rc.steps, B = rc.batch, I = rc.input, H = rc.hidden, G = gates * H;
  std::vector<float> y(T * dirs * B * H, 0.0f), yh(dirs * B * H), yc(dirs * B * H);
  auto clip = [&](float v) { return rc.clip ? std::min(std::max(v, -*rc.clip), *rc.clip) : v; };
  auto f = [&](float v) { return Sigmoid(clip(v)); };
  auto g = [&](float v) { return std::tanh(clip(v)); };
  for (int64_t d = 0; d < dirs; ++d) {
    const bool reverse = rc.direction == "reverse" || d == 1;
    for (int64_t b = 0; b < B; ++b) {
      std::vector<float> h(H), c(H);
      for (int64_t j = 0; j < H; ++j) {
        h[j] = rc.initial ? h0[(d * B + b) * H + j] : 0;
        c[j] = rc.initial ? c0[(d * B + b) * H + j] : 0;
      }
      const int64_t len = rc.lengths ? lengths[b] : T;
      for (int64_t k = 0; k < len; ++k) {
        const int64_t t = reverse ? len - 1 - k : k;
        // xw[g] = x W^T + Wb, hr[g] = h R^T + Rb
        std::vector<float> xw(G), hr(G);
        for (int64_t q = 0; q < G; ++q) {
          double sx = rc.bias ? bias[d * 2 * G + q] : 0, sh = rc.bias ? bias[d * 2 * G + G + q] : 0;
          for (int64_t i = 0; i < I; ++i) sx += x[(t * B + b) * I + i] * w[(d * G + q) * I + i];
          for (int64_t m = 0; m < H; ++m) sh += h[m] * r[(d * G + q) * H + m];
          xw[q] = static_cast<float>(sx);
          hr[q] = static_cast<float>(sh);
        }
        std::vector<float> hn(H), cn(H);
        for (int64_t j = 0; j < H; ++j) {
          if (rc.cell == Cell::kRnn) {
            hn[j] = g(xw[j] + hr[j]);
          } else if (rc.cell == Cell::kLstm) {
            auto peep = [&](int k2) { return rc.peepholes ? p[d * 3 * H + k2 * H + j] : 0.0f; };
            const float ig = f(xw[j] + hr[j] + peep(0) * c[j]);
            const float fg = f(xw[2 * H + j] + hr[2 * H + j] + peep(2) * c[j]);
            const float cand = g(xw[3 * H + j] + hr[3 * H + j]);
            cn[j] = fg * c[j] + ig * cand;
            const float og = f(xw[H + j] + hr[H + j] + peep(1) * cn[j]);
            hn[j] = og * std::tanh(cn[j]);
          } else {
            const float z = f(xw[j] + hr[j]);
            const float rg = f(xw[H + j] + hr[H + j]);
            float pre;
            if (rc.linear_before_reset) {
              pre = xw[2 * H + j] + rg * hr[2 * H + j];
            } else {
              double s = rc.bias ? bias[d * 2 * G + G + 2 * H + j] : 0;
              for (int64_t m = 0; m < H; ++m) {
                float rh = f(xw[H + m] + hr[H + m]) * h[m];
                s += rh * r[(d * G + 2 * H + j) * H + m];
              }
              pre = xw[2 * H + j] + static_cast<float>(s);
            }
            const float cand = g(pre);
            hn[j] = (1 - z) * cand + z * h[j];
          }
        }
        h = hn;
        if (rc.cell == Cell::kLstm) c = cn;
        for (int64_t j = 0; j < H; ++j) y[((t * dirs + d) * B + b) * H + j] = h[j];
      }
      for (int64_t j = 0; j < H; ++j) {
        yh[(d * B + b) * H + j] = h[j];
        yc[(d * B + b) * H + j] = c[j];
      }
    }
  }
  return {y, yh, yc};
}

// [B, T, D, H] or [B, D, H] (layout 1) back to layout 0.
std::vector<float> ToLayout0(const std::vector<float>& v, std::vector<int64_t> dims) {
  // dims: the layout-1 shape; the first two axes swap ([B, T, ...] -> [T, B, ...]
  // for Y after moving D: handled by the caller's dims).
  std::vector<float> out(v.size());
  int64_t inner = 1;
  for (size_t k = 2; k < dims.size(); ++k) inner *= dims[k];
  for (int64_t a = 0; a < dims[0]; ++a)
    for (int64_t b = 0; b < dims[1]; ++b)
      for (int64_t i = 0; i < inner; ++i) out[(b * dims[0] + a) * inner + i] = v[(a * dims[1] + b) * inner + i];
  return out;
}

TEST(DecomposedOpsTest, RecurrentLayersMatchTheSpecification) {
  const std::vector<RnnCase> cases = {
      {Cell::kLstm, "forward", 3, 2, 5, 3, true, true, true, false, false, std::nullopt, 0},
      {Cell::kLstm, "bidirectional", 4, 3, 1, 5, true, true, true, true, false, 0.7f, 0},
      {Cell::kLstm, "reverse", 2, 1, 3, 2, false, false, false, false, false, std::nullopt, 1},
      {Cell::kGru, "forward", 3, 2, 5, 3, true, true, false, false, false, std::nullopt, 0},
      {Cell::kGru, "bidirectional", 4, 3, 2, 3, true, true, false, true, true, std::nullopt, 0},
      {Cell::kGru, "reverse", 3, 1, 4, 1, true, false, false, false, false, 0.5f, 1},
      {Cell::kRnn, "bidirectional", 3, 3, 2, 4, true, true, false, true, false, std::nullopt, 1},
      {Cell::kRnn, "forward", 1, 1, 1, 1, false, false, false, false, false, std::nullopt, 0},
  };
  uint32_t seed = 100;
  for (const RnnCase& rc : cases) {
    const char* op = rc.cell == Cell::kLstm ? "LSTM" : rc.cell == Cell::kGru ? "GRU" : "RNN";
    SCOPED_TRACE(::testing::Message() << op << " " << rc.direction << " T=" << rc.steps
                                      << " B=" << rc.batch << " layout " << rc.layout);
    const int64_t gates = rc.cell == Cell::kLstm ? 4 : rc.cell == Cell::kGru ? 3 : 1;
    const int64_t D = rc.direction == "bidirectional" ? 2 : 1;
    const int64_t T = rc.steps, B = rc.batch, H = rc.hidden;
    const NDArray x = Floats({T, B, rc.input}, seed++);
    const NDArray w = Floats({D, gates * H, rc.input}, seed++);
    const NDArray r = Floats({D, gates * H, H}, seed++);
    const NDArray bias = Floats({D, 2 * gates * H}, seed++);
    const NDArray h0 = Floats({D, B, H}, seed++);
    const NDArray c0 = Floats({D, B, H}, seed++);
    const NDArray p = Floats({D, 3 * H}, seed++);
    std::vector<int64_t> lengths(B);
    for (int64_t b = 0; b < B; ++b) lengths[b] = 1 + (b * 2 + 1) % T;

    ModelBuilder m("rnn", 14, 0);
    std::vector<std::string> inputs = {"x", "w", "r", rc.bias ? "b" : "",
                                       rc.lengths ? "lengths" : "", rc.initial ? "h0" : ""};
    if (rc.cell == Cell::kLstm) {
      inputs.push_back(rc.initial ? "c0" : "");
      inputs.push_back(rc.peepholes ? "p" : "");
    }
    while (!inputs.empty() && inputs.back().empty()) inputs.pop_back();
    Feeds feeds;
    auto feed = [&](const std::string& name, const NDArray& v, bool layout_swap) {
      std::vector<int64_t> shape = v.shape();
      NDArray fed = v;
      if (layout_swap && rc.layout == 1) {
        std::swap(shape[0], shape[1]);
        fed = *NDArray::Empty(shape, runtime::DType::kFloat32);
        const auto swapped = ToLayout0(Values(v), v.shape());  // same swap both ways
        std::copy(swapped.begin(), swapped.end(), fed.data<float>());
      }
      m.AddInput(name, shape);
      feeds.push_back({name, fed});
    };
    feed("x", x, true);
    feed("w", w, false);
    feed("r", r, false);
    if (rc.bias) feed("b", bias, false);
    if (rc.initial) feed("h0", h0, true);
    if (rc.initial && rc.cell == Cell::kLstm) feed("c0", c0, true);
    if (rc.peepholes) feed("p", p, false);
    onnx::NodeProto* n = m.Node(op, inputs, "y");
    n->add_output("y_h");
    if (rc.cell == Cell::kLstm) n->add_output("y_c");
    ModelBuilder::Int(n, "hidden_size", H);
    ModelBuilder::String(n, "direction", rc.direction);
    ModelBuilder::Int(n, "layout", rc.layout);
    if (rc.clip) ModelBuilder::Float(n, "clip", *rc.clip);
    if (rc.linear_before_reset) ModelBuilder::Int(n, "linear_before_reset", 1);
    m.AddOutput("y", {});
    m.AddOutput("y_h", {});
    if (rc.cell == Cell::kLstm) m.AddOutput("y_c", {});
    auto bytes = m.Serialize();
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    std::string model = *bytes;
    // Lengths are a constant, so that the whole layer compiles.
    if (rc.lengths) model = WithInitializer(model, "lengths", {B}, lengths, onnx::TensorProto::INT32);
    const auto got = RunBoth(model, feeds);
    ASSERT_EQ(got.size(), rc.cell == Cell::kLstm ? 3u : 2u);
    const auto want = RnnReference(rc, Values(x), Values(w), Values(r), Values(bias), Values(h0),
                                   Values(c0), Values(p), lengths);
    std::vector<float> y = Values(got[0]), yh = Values(got[1]);
    if (rc.layout == 1) {
      // Y [B, T, D, H] -> [T, B, D, H] -> [T, D, B, H]; Y_h [B, D, H] -> [D, B, H].
      y = ToLayout0(y, {B, T, D * H});
      std::vector<float> moved(y.size());
      for (int64_t t = 0; t < T; ++t)
        for (int64_t b = 0; b < B; ++b)
          for (int64_t d = 0; d < D; ++d)
            for (int64_t j = 0; j < H; ++j)
              moved[((t * D + d) * B + b) * H + j] = y[((t * B + b) * D + d) * H + j];
      y = moved;
      yh = ToLayout0(yh, {B, D, H});
    }
    ir::ops::testing::ExpectAllNear(y, want[0], 1e-4f, "Y");
    ir::ops::testing::ExpectAllNear(yh, want[1], 1e-4f, "Y_h");
    if (rc.cell == Cell::kLstm) {
      std::vector<float> yc = Values(got[2]);
      if (rc.layout == 1) yc = ToLayout0(yc, {B, D, H});
      ir::ops::testing::ExpectAllNear(yc, want[2], 1e-4f, "Y_c");
    }
  }
}

// ---- normalizations and the rest ----

// One single-input node on x with attributes set by `attrs`, run both ways.
NDArray RunUnary(const std::string& op, int opset, const NDArray& x,
                 const std::function<void(onnx::NodeProto*)>& attrs,
                 const std::vector<std::pair<std::string, NDArray>>& extra = {}) {
  ModelBuilder m("unary", opset, 0);
  m.AddInput("x", x.shape());
  std::vector<std::string> inputs = {"x"};
  Feeds feeds = {{"x", x}};
  for (const auto& [name, value] : extra) {
    m.AddInput(name, value.shape());
    inputs.push_back(name);
    feeds.push_back({name, value});
  }
  attrs(m.Node(op, inputs, "y"));
  m.AddOutput("y", {});
  auto bytes = m.Serialize();
  EXPECT_TRUE(bytes.ok());
  auto got = RunBoth(*bytes, feeds);
  return got.empty() ? NDArray() : got[0];
}

TEST(DecomposedOpsTest, NormalizationsMatchTheSpecification) {
  const std::vector<int64_t> shape = {2, 6, 3, 1};
  const NDArray x = Floats(shape, 11);
  const std::vector<float> v = Values(x);
  const int64_t n = 2, c = 6, inner = 3;
  auto at = [&](int64_t b, int64_t ch, int64_t i) { return v[(b * c + ch) * inner + i]; };

  // MVN over N, H, W: per channel.
  std::vector<float> mvn(v.size());
  for (int64_t ch = 0; ch < c; ++ch) {
    double s = 0, s2 = 0;
    for (int64_t b = 0; b < n; ++b)
      for (int64_t i = 0; i < inner; ++i) s += at(b, ch, i), s2 += at(b, ch, i) * at(b, ch, i);
    const double mean = s / (n * inner), sd = std::sqrt(s2 / (n * inner) - mean * mean);
    for (int64_t b = 0; b < n; ++b)
      for (int64_t i = 0; i < inner; ++i)
        mvn[(b * c + ch) * inner + i] = static_cast<float>((at(b, ch, i) - mean) / (sd + 1e-9));
  }
  ir::ops::testing::ExpectAllNear(
      Values(RunUnary("MeanVarianceNormalization", 13, x, [](onnx::NodeProto*) {})), mvn, 1e-4f,
      "MeanVarianceNormalization");

  // LRN: size 4 (an asymmetric window), 15 (reaching past every channel)
  // and 2^40 (a hostile size that must cost no more than the channels).
  // alpha grows with the size so that the window's sum still matters.
  const float beta = 0.6f, bias = 1.5f;
  for (const int64_t size : {int64_t{4}, int64_t{15}, int64_t{1} << 40}) {
    const float alpha = 0.3f * static_cast<float>(size) / 4;
    std::vector<float> lrn(v.size());
    for (int64_t b = 0; b < n; ++b)
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t i = 0; i < inner; ++i) {
          double s = 0;
          for (int64_t k = std::max<int64_t>(0, ch - (size - 1) / 2);
               k <= std::min<int64_t>(c - 1, ch + size / 2); ++k)
            s += at(b, k, i) * at(b, k, i);
          lrn[(b * c + ch) * inner + i] = static_cast<float>(
              at(b, ch, i) / std::pow(bias + alpha / static_cast<double>(size) * s, beta));
        }
    ir::ops::testing::ExpectAllNear(Values(RunUnary("LRN", 13, x, [&](onnx::NodeProto* node) {
                                      ModelBuilder::Int(node, "size", size);
                                      ModelBuilder::Float(node, "alpha", alpha);
                                      ModelBuilder::Float(node, "beta", beta);
                                      ModelBuilder::Float(node, "bias", bias);
                                    })),
                                    lrn, 1e-4f, absl::StrCat("LRN of size ", size));
  }

  // LpNormalization (p = 1) along the channels, GlobalLpPool (p = 3).
  std::vector<float> lp(v.size()), pool(n * c);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t i = 0; i < inner; ++i) {
      double s = 0;
      for (int64_t ch = 0; ch < c; ++ch) s += std::fabs(at(b, ch, i));
      for (int64_t ch = 0; ch < c; ++ch) lp[(b * c + ch) * inner + i] = at(b, ch, i) / s;
    }
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch) {
      double s = 0;
      for (int64_t i = 0; i < inner; ++i) s += std::pow(std::fabs(at(b, ch, i)), 3);
      pool[b * c + ch] = static_cast<float>(std::cbrt(s));
    }
  ir::ops::testing::ExpectAllNear(Values(RunUnary("LpNormalization", 1, x, [](onnx::NodeProto* node) {
                                    ModelBuilder::Int(node, "axis", 1);
                                    ModelBuilder::Int(node, "p", 1);
                                  })),
                                  lp, 1e-4f, "LpNormalization");
  ir::ops::testing::ExpectAllNear(Values(RunUnary("GlobalLpPool", 2, x, [](onnx::NodeProto* node) {
                                    ModelBuilder::Int(node, "p", 3);
                                  })),
                                  pool, 1e-4f, "GlobalLpPool");

  // GroupNormalization, 3 groups of 2 channels: scale and bias per group
  // (opset 18) and per channel (opset 21).
  for (int opset : {18, 21}) {
    const int64_t groups = 3, params = opset == 18 ? groups : c;
    const NDArray scale = Floats({params}, 12), shift = Floats({params}, 13);
    std::vector<float> gn(v.size());
    for (int64_t b = 0; b < n; ++b)
      for (int64_t g = 0; g < groups; ++g) {
        double s = 0, s2 = 0;
        for (int64_t ch = 2 * g; ch < 2 * g + 2; ++ch)
          for (int64_t i = 0; i < inner; ++i) s += at(b, ch, i);
        const double mean = s / (2 * inner);
        for (int64_t ch = 2 * g; ch < 2 * g + 2; ++ch)
          for (int64_t i = 0; i < inner; ++i) s2 += (at(b, ch, i) - mean) * (at(b, ch, i) - mean);
        const double inv = 1 / std::sqrt(s2 / (2 * inner) + 1e-5);
        for (int64_t ch = 2 * g; ch < 2 * g + 2; ++ch)
          for (int64_t i = 0; i < inner; ++i) {
            const int64_t k = opset == 18 ? g : ch;
            gn[(b * c + ch) * inner + i] = static_cast<float>(
                (at(b, ch, i) - mean) * inv * scale.data<float>()[k] + shift.data<float>()[k]);
          }
      }
    ir::ops::testing::ExpectAllNear(
        Values(RunUnary("GroupNormalization", opset, x,
                        [](onnx::NodeProto* node) { ModelBuilder::Int(node, "num_groups", 3); },
                        {{"scale", scale}, {"bias", shift}})),
        gn, 1e-4f, "GroupNormalization");
  }

  // Shrink.
  std::vector<float> shrink(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    shrink[i] = v[i] < -0.4f ? v[i] + 0.1f : v[i] > 0.4f ? v[i] - 0.1f : 0.0f;
  }
  ir::ops::testing::ExpectAllNear(Values(RunUnary("Shrink", 9, x, [](onnx::NodeProto* node) {
                                    ModelBuilder::Float(node, "lambd", 0.4f);
                                    ModelBuilder::Float(node, "bias", 0.1f);
                                  })),
                                  shrink, 1e-6f, "Shrink");
}

TEST(DecomposedOpsTest, OneHotAndEyeLike) {
  // Indices [2, 3] (as floats, one negative), depth 4, on the middle axis.
  const NDArray x = Floats({2, 3}, 21);
  std::vector<float> idx = {0, 3, -1, 2, 1, -4};
  NDArray indices = *NDArray::Empty({2, 3}, runtime::DType::kFloat32);
  std::copy(idx.begin(), idx.end(), indices.data<float>());
  ModelBuilder m("one_hot", 11, 0);
  m.AddInput("indices", {2, 3});
  m.Floats("depth", {4});
  m.Floats("values", {-2, 5});
  m.AddOutput("y", {});
  ModelBuilder::Int(m.Node("OneHot", {"indices", "depth", "values"}, "y"), "axis", 1);
  auto bytes = m.Serialize();
  ASSERT_TRUE(bytes.ok());
  const auto got = RunBoth(*bytes, {{"indices", indices}});
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].shape(), (std::vector<int64_t>{2, 4, 3}));
  std::vector<float> want(24, -2);
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t i = 0; i < 3; ++i) {
      const int64_t k = (static_cast<int64_t>(idx[b * 3 + i]) + 4) % 4;
      want[(b * 4 + k) * 3 + i] = 5;
    }
  EXPECT_EQ(Values(got[0]), want);

  const NDArray eye = RunUnary("EyeLike", 9, Floats({3, 5}, 22),
                               [](onnx::NodeProto* node) { ModelBuilder::Int(node, "k", -1); });
  std::vector<float> eye_want(15, 0);
  eye_want[5] = eye_want[11] = 1;
  EXPECT_EQ(Values(eye), eye_want);
}

// ---- Einsum ----

// Einsum by its definition: every assignment of the labels, the product of
// the operands' elements summed into the output element. Subscripts here
// use letters only (no "...") and an explicit output.
std::vector<float> EinsumReference(const std::vector<std::string>& specs, const std::string& out,
                                   const std::vector<NDArray>& operands) {
  std::map<char, int64_t> size;
  for (size_t k = 0; k < specs.size(); ++k) {
    for (size_t a = 0; a < specs[k].size(); ++a) size[specs[k][a]] = operands[k].shape()[a];
  }
  std::string labels;
  for (const auto& [l, n] : size) labels.push_back(l);
  int64_t out_count = 1;
  for (char l : out) out_count *= size[l];
  std::vector<double> result(out_count, 0.0);
  std::map<char, int64_t> at;
  for (char l : labels) at[l] = 0;
  auto flat = [&](const std::string& spec) {
    int64_t f = 0;
    for (char l : spec) f = f * size[l] + at[l];
    return f;
  };
  while (true) {
    double p = 1;
    for (size_t k = 0; k < specs.size(); ++k) p *= operands[k].data<float>()[flat(specs[k])];
    result[flat(out)] += p;
    size_t d = labels.size();
    while (d > 0 && ++at[labels[d - 1]] == size[labels[d - 1]]) at[labels[--d]] = 0;
    if (d == 0) break;
  }
  return std::vector<float>(result.begin(), result.end());
}

TEST(DecomposedOpsTest, EinsumMatchesTheDefinition) {
  struct Case {
    std::string equation;            // as the node has it
    std::vector<std::string> specs;  // for the reference: letters only
    std::string out;
    std::vector<std::vector<int64_t>> shapes;
  };
  const std::vector<Case> cases = {
      {"bij,bjk->bik", {"bij", "bjk"}, "bik", {{3, 2, 5}, {3, 5, 1}}},
      {"bhqd,bhkd->bhqk", {"bhqd", "bhkd"}, "bhqk", {{2, 3, 4, 5}, {2, 3, 7, 5}}},
      {"ij->ji", {"ij"}, "ji", {{3, 5}}},
      {"ijk->j", {"ijk"}, "j", {{2, 3, 4}}},
      {"i,i", {"i", "i"}, "", {{7}, {7}}},
      {"...ii->...i", {"bii"}, "bi", {{3, 4, 4}}},
      {"ij,jk,kl->li", {"ij", "jk", "kl"}, "li", {{2, 3}, {3, 4}, {4, 5}}},
      {"ab,cb", {"ab", "cb"}, "ac", {{2, 3}, {4, 3}}},
      {"ij,kj->ik", {"ij", "kj"}, "ik", {{1, 1}, {3, 1}}},
  };
  uint32_t seed = 50;
  for (const Case& ec : cases) {
    SCOPED_TRACE(ec.equation);
    ModelBuilder m("einsum", 12, 0);
    std::vector<std::string> names;
    Feeds feeds;
    std::vector<NDArray> operands;
    for (size_t k = 0; k < ec.shapes.size(); ++k) {
      names.push_back("x" + std::to_string(k));
      m.AddInput(names.back(), ec.shapes[k]);
      operands.push_back(Floats(ec.shapes[k], seed++));
      feeds.push_back({names.back(), operands.back()});
    }
    ModelBuilder::String(m.Node("Einsum", names, "y"), "equation", ec.equation);
    m.AddOutput("y", {});
    auto bytes = m.Serialize();
    ASSERT_TRUE(bytes.ok());
    const auto got = RunBoth(*bytes, feeds);
    ASSERT_EQ(got.size(), 1u);
    ir::ops::testing::ExpectAllNear(Values(got[0]), EinsumReference(ec.specs, ec.out, operands),
                                    1e-4f, ec.equation);
  }
}

// ---- 3-D convolution and pooling ----

struct Window {
  std::vector<int64_t> kernel, strides, dilations, pads;  // pads [d, h, w, d, h, w]
};

// Output size along axis a, with or without ceil_mode.
int64_t OutSize(const Window& w, int64_t in, int a, bool ceil_mode) {
  const int64_t span = in + w.pads[a] + w.pads[a + 3] - w.dilations[a] * (w.kernel[a] - 1) - 1;
  int64_t out = (ceil_mode ? span + w.strides[a] - 1 : span) / w.strides[a] + 1;
  // A last window starting in the end padding is dropped, as ONNX does.
  if (ceil_mode && (out - 1) * w.strides[a] >= in + w.pads[a]) --out;
  return out;
}

TEST(DecomposedOpsTest, VolumetricConvolutionMatchesTheDefinition) {
  const int64_t n = 2, c = 4, d = 5, h = 3, wd = 6, o = 6, group = 2;
  // Depth padding may be asymmetric (a pad); the compiled 2-D convolution
  // needs symmetric (H, W) padding.
  const Window win = {{3, 2, 3}, {2, 1, 2}, {1, 2, 1}, {1, 1, 2, 2, 1, 2}};
  const NDArray x = Floats({n, c, d, h, wd}, 31);
  const NDArray w = Floats({o, c / group, 3, 2, 3}, 32);
  const NDArray b = Floats({o}, 33);
  ModelBuilder m("conv3d", 13, 0);
  m.AddInput("x", x.shape());
  m.AddInput("w", w.shape());
  m.AddInput("b", b.shape());
  onnx::NodeProto* node = m.Node("Conv", {"x", "w", "b"}, "y");
  ModelBuilder::Ints(node, "strides", win.strides);
  ModelBuilder::Ints(node, "dilations", win.dilations);
  ModelBuilder::Ints(node, "pads", win.pads);
  ModelBuilder::Int(node, "group", group);
  m.AddOutput("y", {});
  auto bytes = m.Serialize();
  ASSERT_TRUE(bytes.ok());
  const auto got = RunBoth(*bytes, {{"x", x}, {"w", w}, {"b", b}});
  ASSERT_EQ(got.size(), 1u);
  int64_t out[3];
  for (int a = 0; a < 3; ++a) out[a] = OutSize(win, a == 0 ? d : a == 1 ? h : wd, a, false);
  ASSERT_EQ(got[0].shape(), (std::vector<int64_t>{n, o, out[0], out[1], out[2]}));
  const float* xv = x.data<float>();
  const float* wv = w.data<float>();
  std::vector<float> want;
  const int64_t cg = c / group, og = o / group;
  for (int64_t bi = 0; bi < n; ++bi)
    for (int64_t oc = 0; oc < o; ++oc)
      for (int64_t z = 0; z < out[0]; ++z)
        for (int64_t y = 0; y < out[1]; ++y)
          for (int64_t q = 0; q < out[2]; ++q) {
            double s = b.data<float>()[oc];
            for (int64_t ic = 0; ic < cg; ++ic)
              for (int64_t kz = 0; kz < 3; ++kz)
                for (int64_t ky = 0; ky < 2; ++ky)
                  for (int64_t kx = 0; kx < 3; ++kx) {
                    const int64_t iz = z * 2 + kz * 1 - 1, iy = y * 1 + ky * 2 - 1,
                                  ix = q * 2 + kx * 1 - 2;
                    if (iz < 0 || iz >= d || iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                    const int64_t channel = oc / og * cg + ic;
                    s += xv[(((bi * c + channel) * d + iz) * h + iy) * wd + ix] *
                         wv[(((oc * cg + ic) * 3 + kz) * 2 + ky) * 3 + kx];
                  }
            want.push_back(static_cast<float>(s));
          }
  ir::ops::testing::ExpectAllNear(Values(got[0]), want, 1e-4f, "Conv 3-D");
}

struct ConvTransposeCase {
  std::vector<int64_t> x_shape;  // [N, C, spatial...]
  int64_t out_channels, group;
  std::vector<int64_t> kernel, strides, dilations, pads, output_padding;
  bool bias;
};

// ConvTranspose from the specification: each input pixel scattered through
// the kernel, in any number of spatial axes.
std::vector<float> ConvTransposeReference(const ConvTransposeCase& tc, const NDArray& x,
                                          const NDArray& w, const NDArray* b,
                                          std::vector<int64_t>* out_shape) {
  const size_t r = tc.kernel.size();
  const int64_t n = tc.x_shape[0], c = tc.x_shape[1], o = tc.out_channels;
  const int64_t cg = c / tc.group, og = o / tc.group;
  std::vector<int64_t> in(tc.x_shape.begin() + 2, tc.x_shape.end()), out(r);
  for (size_t d = 0; d < r; ++d) {
    out[d] = (in[d] - 1) * tc.strides[d] + tc.dilations[d] * (tc.kernel[d] - 1) + 1 +
             tc.output_padding[d] - tc.pads[d] - tc.pads[r + d];
  }
  *out_shape = {n, o};
  out_shape->insert(out_shape->end(), out.begin(), out.end());
  auto count = [](const std::vector<int64_t>& v) {
    int64_t p = 1;
    for (int64_t e : v) p *= e;
    return p;
  };
  const int64_t in_size = count(in), out_size = count(out), k_size = count(tc.kernel);
  std::vector<double> y(n * o * out_size, 0.0);
  for (int64_t bi = 0; bi < n; ++bi)
    for (int64_t ic = 0; ic < c; ++ic)
      for (int64_t ip = 0; ip < in_size; ++ip)
        for (int64_t oc_in_group = 0; oc_in_group < og; ++oc_in_group)
          for (int64_t kp = 0; kp < k_size; ++kp) {
            int64_t rest_i = ip, rest_k = kp, op = 0;
            bool inside = true;
            std::vector<int64_t> pos(r);
            for (int64_t d = static_cast<int64_t>(r) - 1; d >= 0; --d) {
              const int64_t i = rest_i % in[d], k = rest_k % tc.kernel[d];
              rest_i /= in[d];
              rest_k /= tc.kernel[d];
              pos[d] = i * tc.strides[d] + k * tc.dilations[d] - tc.pads[d];
              inside = inside && pos[d] >= 0 && pos[d] < out[d];
            }
            if (!inside) continue;
            for (size_t d = 0; d < r; ++d) op = op * out[d] + pos[d];
            const int64_t oc = ic / cg * og + oc_in_group;
            y[(bi * o + oc) * out_size + op] +=
                static_cast<double>(x.data<float>()[(bi * c + ic) * in_size + ip]) *
                w.data<float>()[(ic * og + oc_in_group) * k_size + kp];
          }
  std::vector<float> result(y.size());
  for (size_t i = 0; i < y.size(); ++i) {
    const int64_t oc = (i / out_size) % o;
    result[i] = static_cast<float>(y[i] + (b ? b->data<float>()[oc] : 0.0f));
  }
  return result;
}

TEST(DecomposedOpsTest, GeneralConvTransposeMatchesTheDefinition) {
  const std::vector<ConvTransposeCase> cases = {
      // grouped, dilated, uneven pads and output padding, bias
      {{2, 4, 5, 4}, 6, 2, {3, 2}, {2, 3}, {2, 1}, {1, 0, 2, 1}, {1, 2}, true},
      // depthwise, pads larger than the kernel's extent (a crop)
      {{1, 3, 6, 5}, 3, 3, {2, 2}, {1, 2}, {1, 1}, {2, 0, 1, 3}, {0, 1}, false},
      // 3-D, grouped
      {{1, 4, 3, 4, 3}, 2, 2, {2, 3, 2}, {2, 1, 2}, {1, 2, 1}, {0, 1, 1, 1, 0, 0}, {1, 0, 0},
       true},
      // 1-D, dilated
      {{2, 3, 7}, 5, 1, {3}, {3}, {2}, {1, 2}, {2}, true},
  };
  uint32_t seed = 90;
  for (const ConvTransposeCase& tc : cases) {
    SCOPED_TRACE(::testing::Message() << tc.kernel.size() << "-D, group " << tc.group);
    for (bool weights_at_run_time : {false, true}) {
      const NDArray x = Floats(tc.x_shape, seed++);
      std::vector<int64_t> w_shape = {tc.x_shape[1], tc.out_channels / tc.group};
      w_shape.insert(w_shape.end(), tc.kernel.begin(), tc.kernel.end());
      const NDArray w = Floats(w_shape, seed++);
      const NDArray b = Floats({tc.out_channels}, seed++);
      ModelBuilder m("conv_transpose", 13, 0);
      m.AddInput("x", x.shape());
      std::vector<std::string> inputs = {"x", "w"};
      if (tc.bias) inputs.push_back("b");
      Feeds feeds = {{"x", x}};
      m.AddInput("w", w.shape());
      if (tc.bias) m.AddInput("b", b.shape());
      onnx::NodeProto* node = m.Node("ConvTranspose", inputs, "y");
      ModelBuilder::Ints(node, "kernel_shape", tc.kernel);
      ModelBuilder::Ints(node, "strides", tc.strides);
      ModelBuilder::Ints(node, "dilations", tc.dilations);
      ModelBuilder::Ints(node, "pads", tc.pads);
      ModelBuilder::Ints(node, "output_padding", tc.output_padding);
      ModelBuilder::Int(node, "group", tc.group);
      m.AddOutput("y", {});
      auto serialized = m.Serialize();
      ASSERT_TRUE(serialized.ok());
      std::string bytes = *serialized;
      if (weights_at_run_time) {
        feeds.push_back({"w", w});
        if (tc.bias) feeds.push_back({"b", b});
      } else {
        // The weights as initializers: constants at compile time.
        onnx::ModelProto model;
        ASSERT_TRUE(model.ParseFromString(bytes));
        std::vector<std::pair<std::string, const NDArray*>> constants = {{"w", &w}};
        if (tc.bias) constants.push_back({"b", &b});
        for (const auto& [name, value] : constants) {
          onnx::TensorProto* t = model.mutable_graph()->add_initializer();
          t->set_name(name);
          t->set_data_type(onnx::TensorProto::FLOAT);
          for (int64_t d : value->shape()) t->add_dims(d);
          t->set_raw_data(value->raw_data(), value->NumBytes());
          auto* graph_inputs = model.mutable_graph()->mutable_input();
          for (int i = 0; i < graph_inputs->size(); ++i) {
            if (graph_inputs->Get(i).name() == name) {
              graph_inputs->erase(graph_inputs->begin() + i);
              break;
            }
          }
        }
        bytes = model.SerializeAsString();
      }
      const auto got = RunBoth(bytes, feeds);
      ASSERT_EQ(got.size(), 1u);
      std::vector<int64_t> out_shape;
      const auto want = ConvTransposeReference(tc, x, w, tc.bias ? &b : nullptr, &out_shape);
      ASSERT_EQ(got[0].shape(), out_shape);
      ir::ops::testing::ExpectAllNear(Values(got[0]), want, 1e-4f, "ConvTranspose");
    }
  }
}

struct RoiAlignCase {
  std::string mode, transform;
  int64_t out_h, out_w, sampling_ratio;
  float spatial_scale;
  bool rois_constant;
};

// RoiAlign as ONNX Runtime computes it, one sample at a time.
std::vector<float> RoiAlignReference(const RoiAlignCase& rc, const NDArray& x,
                                     const std::vector<float>& rois,
                                     const std::vector<int64_t>& batch) {
  const int64_t c = x.shape()[1], h = x.shape()[2], w = x.shape()[3];
  const int64_t regions = batch.size();
  const bool half = rc.transform == "half_pixel";
  const float offset = half ? 0.5f : 0.0f;
  std::vector<float> out;
  for (int64_t r = 0; r < regions; ++r) {
    const float* b = rois.data() + 4 * r;
    const float x1 = b[0] * rc.spatial_scale - offset, y1 = b[1] * rc.spatial_scale - offset;
    float roi_w = b[2] * rc.spatial_scale - offset - x1;
    float roi_h = b[3] * rc.spatial_scale - offset - y1;
    if (!half) {
      roi_w = std::max(roi_w, 1.0f);
      roi_h = std::max(roi_h, 1.0f);
    }
    const float bin_h = roi_h / rc.out_h, bin_w = roi_w / rc.out_w;
    const int64_t gh = rc.sampling_ratio > 0 ? rc.sampling_ratio
                                             : static_cast<int64_t>(std::ceil(roi_h / rc.out_h));
    const int64_t gw = rc.sampling_ratio > 0 ? rc.sampling_ratio
                                             : static_cast<int64_t>(std::ceil(roi_w / rc.out_w));
    const float count = std::max<float>(gh * gw, 1);
    for (int64_t ch = 0; ch < c; ++ch) {
      const float* plane = x.data<float>() + (batch[r] * c + ch) * h * w;
      for (int64_t ph = 0; ph < rc.out_h; ++ph) {
        for (int64_t pw = 0; pw < rc.out_w; ++pw) {
          float acc = 0.0f;
          bool first = true;
          for (int64_t iy = 0; iy < gh; ++iy) {
            for (int64_t ix = 0; ix < gw; ++ix) {
              float yy = y1 + ph * bin_h + (iy + 0.5f) * bin_h / gh;
              float xx = x1 + pw * bin_w + (ix + 0.5f) * bin_w / gw;
              float v[4] = {0, 0, 0, 0}, wt[4] = {0, 0, 0, 0};
              if (!(yy < -1.0f || yy > h || xx < -1.0f || xx > w)) {
                yy = std::max(yy, 0.0f);
                xx = std::max(xx, 0.0f);
                int64_t yl = static_cast<int64_t>(yy), xl = static_cast<int64_t>(xx), yh, xh;
                if (yl >= h - 1) {
                  yh = yl = h - 1;
                  yy = static_cast<float>(yl);
                } else {
                  yh = yl + 1;
                }
                if (xl >= w - 1) {
                  xh = xl = w - 1;
                  xx = static_cast<float>(xl);
                } else {
                  xh = xl + 1;
                }
                const float ly = yy - yl, lx = xx - xl, hy = 1 - ly, hx = 1 - lx;
                const int64_t at[4] = {yl * w + xl, yl * w + xh, yh * w + xl, yh * w + xh};
                const float ws[4] = {hy * hx, hy * lx, ly * hx, ly * lx};
                for (int k = 0; k < 4; ++k) {
                  v[k] = plane[at[k]];
                  wt[k] = ws[k];
                }
              }
              if (rc.mode == "avg") {
                for (int k = 0; k < 4; ++k) acc += wt[k] * v[k];
              } else {
                const float m = std::max(std::max(wt[0] * v[0], wt[1] * v[1]),
                                         std::max(wt[2] * v[2], wt[3] * v[3]));
                acc = first ? m : std::max(acc, m);
                first = false;
              }
            }
          }
          out.push_back(rc.mode == "avg" ? acc / count : acc);
        }
      }
    }
  }
  return out;
}

TEST(DecomposedOpsTest, RoiAlignMatchesOnnxRuntimesDefinition) {
  const NDArray x = Floats({2, 3, 7, 9}, 70, -2.0f, 2.0f);
  // Regions inside, crossing the border, past it, degenerate, in both batches.
  const std::vector<float> rois = {0.5f, 0.5f, 6.0f, 4.5f,  -3.0f, -2.0f, 4.0f, 5.0f,
                                   7.0f, 5.0f, 12.0f, 9.0f, 3.0f, 3.0f, 3.0f, 3.0f,
                                   1.0f, 2.5f, 8.5f, 6.75f};
  const std::vector<int64_t> batch = {0, 1, 1, 0, 1};
  const std::vector<RoiAlignCase> cases = {
      {"avg", "half_pixel", 3, 2, 2, 1.0f, false},
      {"avg", "output_half_pixel", 2, 4, 0, 0.75f, true},
      {"max", "half_pixel", 2, 3, 0, 1.0f, true},
      {"max", "output_half_pixel", 3, 3, 3, 0.5f, false},
  };
  for (const RoiAlignCase& rc : cases) {
    SCOPED_TRACE(::testing::Message() << rc.mode << " " << rc.transform << " ratio "
                                      << rc.sampling_ratio);
    ModelBuilder m("roi_align", 16, 0);
    m.AddInput("x", x.shape());
    if (!rc.rois_constant) m.AddInput("rois", {5, 4});
    onnx::NodeProto* node = m.Node("RoiAlign", {"x", "rois", "batch"}, "y");
    ModelBuilder::String(node, "mode", rc.mode);
    ModelBuilder::String(node, "coordinate_transformation_mode", rc.transform);
    ModelBuilder::Int(node, "output_height", rc.out_h);
    ModelBuilder::Int(node, "output_width", rc.out_w);
    ModelBuilder::Int(node, "sampling_ratio", rc.sampling_ratio);
    ModelBuilder::Float(node, "spatial_scale", rc.spatial_scale);
    m.AddOutput("y", {});
    auto bytes = m.Serialize();
    ASSERT_TRUE(bytes.ok());
    std::string model = WithInitializer(*bytes, "batch", {5}, batch, onnx::TensorProto::INT64);
    Feeds feeds = {{"x", x}};
    NDArray roi_array = *NDArray::Empty({5, 4}, runtime::DType::kFloat32);
    std::copy(rois.begin(), rois.end(), roi_array.data<float>());
    if (rc.rois_constant) {
      onnx::ModelProto proto;
      ASSERT_TRUE(proto.ParseFromString(model));
      onnx::TensorProto* t = proto.mutable_graph()->add_initializer();
      t->set_name("rois");
      t->set_data_type(onnx::TensorProto::FLOAT);
      t->add_dims(5);
      t->add_dims(4);
      for (float v : rois) t->add_float_data(v);
      model = proto.SerializeAsString();
    } else {
      feeds.push_back({"rois", roi_array});
    }
    const auto got = RunBoth(model, feeds);
    ASSERT_EQ(got.size(), 1u);
    ASSERT_EQ(got[0].shape(), (std::vector<int64_t>{5, 3, rc.out_h, rc.out_w}));
    ir::ops::testing::ExpectAllNear(Values(got[0]), RoiAlignReference(rc, x, rois, batch), 1e-5f,
                                    "RoiAlign");
  }
}

struct TfIdfCase {
  std::string mode;
  int64_t min_gram, max_gram, max_skip;
  std::vector<int64_t> counts, indexes, pool;
  std::vector<float> weights;
  bool batched;
};

// TfIdfVectorizer's counting, position by position as ONNX Runtime does it.
std::vector<float> TfIdfReference(const TfIdfCase& tc, const std::vector<int64_t>& tokens,
                                  int64_t rows, int64_t length) {
  int64_t out_size = 0;
  for (int64_t i : tc.indexes) out_size = std::max(out_size, i + 1);
  // n-gram -> id, over the whole pool.
  std::map<std::vector<int64_t>, int64_t> ids;
  int64_t id = 0;
  for (size_t k = 0; k < tc.counts.size(); ++k) {
    const int64_t n = k + 1, start = tc.counts[k];
    const int64_t end = k + 1 < tc.counts.size() ? tc.counts[k + 1] : tc.pool.size();
    for (int64_t p = start; p < end; p += n, ++id) {
      if (n >= tc.min_gram && n <= tc.max_gram) {
        ids[std::vector<int64_t>(tc.pool.begin() + p, tc.pool.begin() + p + n)] = id;
      }
    }
  }
  std::vector<float> freq(rows * out_size, 0.0f);
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t* row = tokens.data() + r * length;
    auto count = [&](const std::vector<int64_t>& gram) {
      auto it = ids.find(gram);
      if (it != ids.end()) freq[r * out_size + tc.indexes[it->second]] += 1;
    };
    if (tc.min_gram == 1) {
      for (int64_t p = 0; p < length; ++p) count({row[p]});
    }
    for (int64_t d = 1; d <= tc.max_skip + 1; ++d) {
      for (int64_t p = 0; p < length; ++p) {
        std::vector<int64_t> gram;
        for (int64_t n = 1, at = p; n <= tc.max_gram && at < length; ++n, at += d) {
          gram.push_back(row[at]);
          if (n >= std::max<int64_t>(2, tc.min_gram)) count(gram);
        }
      }
    }
  }
  for (int64_t i = 0; i < rows * out_size; ++i) {
    const float w = tc.weights.empty() ? 1.0f : tc.weights[i % out_size];
    if (tc.mode == "IDF") freq[i] = freq[i] > 0 ? w : 0.0f;
    if (tc.mode == "TFIDF") freq[i] *= w;
  }
  return freq;
}

TEST(DecomposedOpsTest, TfIdfVectorizerCountsAsOnnxRuntimeDoes) {
  const std::vector<TfIdfCase> cases = {
      {"TF", 1, 2, 2, {0, 4}, {0, 1, 2, 3, 4, 5, 6}, {2, 3, 5, 4, 5, 6, 7, 8, 6, 7}, {}, true},
      {"TF", 2, 3, 1, {0, 2, 4}, {3, 0, 1, 2, 4}, {1, 2, 3, 4, 2, 3, 1, 2, 3, 4}, {}, false},
      {"IDF", 1, 1, 3, {0, 3}, {0, 1, 2, 3}, {1, 2, 3, 1, 2}, {0.5f, 2.0f, 4.0f, 8.0f}, true},
      {"TFIDF", 1, 2, 0, {0, 2}, {1, 0, 2}, {7, 1, 1, 7}, {0.25f, 3.0f, 1.5f}, true},
  };
  const int64_t rows = 3, length = 11;
  std::mt19937 rng(5);
  std::vector<int64_t> tokens(rows * length);
  for (int64_t& t : tokens) t = 1 + rng() % 8;
  for (const TfIdfCase& tc : cases) {
    SCOPED_TRACE(::testing::Message() << tc.mode << " grams " << tc.min_gram << "-"
                                      << tc.max_gram << " skips " << tc.max_skip);
    const int64_t r = tc.batched ? rows : 1;
    ModelBuilder m("tfidf", 9, 0);
    m.AddInput("x", tc.batched ? std::vector<int64_t>{rows, length} : std::vector<int64_t>{length});
    onnx::NodeProto* node = m.Node("TfIdfVectorizer", {"x"}, "y");
    ModelBuilder::String(node, "mode", tc.mode);
    ModelBuilder::Int(node, "min_gram_length", tc.min_gram);
    ModelBuilder::Int(node, "max_gram_length", tc.max_gram);
    ModelBuilder::Int(node, "max_skip_count", tc.max_skip);
    ModelBuilder::Ints(node, "ngram_counts", tc.counts);
    ModelBuilder::Ints(node, "ngram_indexes", tc.indexes);
    ModelBuilder::Ints(node, "pool_int64s", tc.pool);
    if (!tc.weights.empty()) {
      onnx::AttributeProto* a = node->add_attribute();
      a->set_name("weights");
      a->set_type(onnx::AttributeProto::FLOATS);
      for (float w : tc.weights) a->add_floats(w);
    }
    m.AddOutput("y", {});
    auto bytes = m.Serialize();
    ASSERT_TRUE(bytes.ok());
    onnx::ModelProto model;  // the tokens are int32
    ASSERT_TRUE(model.ParseFromString(*bytes));
    model.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(
        onnx::TensorProto::INT32);
    NDArray x = *NDArray::Empty(tc.batched ? std::vector<int64_t>{rows, length}
                                           : std::vector<int64_t>{length},
                                runtime::DType::kInt32);
    for (int64_t i = 0; i < x.NumElements(); ++i) x.data<int32_t>()[i] = tokens[i];
    const auto got = RunBoth(model.SerializeAsString(), {{"x", x}});
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(Values(got[0]), TfIdfReference(tc, tokens, r, length));
  }
}

TEST(DecomposedOpsTest, VolumetricPoolingMatchesTheDefinition) {
  const int64_t n = 1, c = 3, d = 5, h = 4, wd = 7;
  const NDArray x = Floats({n, c, d, h, wd}, 41);
  const Window win = {{2, 3, 2}, {2, 1, 3}, {1, 1, 1}, {1, 1, 0, 0, 1, 1}};
  for (const char* op : {"MaxPool", "AveragePool"}) {
    for (int64_t ceil_mode : {0, 1}) {
      for (int64_t include_pad : {0, 1}) {
        const bool max = std::string(op) == "MaxPool";
        if (max && include_pad) continue;
        SCOPED_TRACE(::testing::Message() << op << " ceil_mode " << ceil_mode
                                          << " count_include_pad " << include_pad);
        ModelBuilder m("pool3d", 12, 0);
        m.AddInput("x", x.shape());
        onnx::NodeProto* node = m.Node(op, {"x"}, "y");
        ModelBuilder::Ints(node, "kernel_shape", win.kernel);
        ModelBuilder::Ints(node, "strides", win.strides);
        ModelBuilder::Ints(node, "pads", win.pads);
        ModelBuilder::Int(node, "ceil_mode", ceil_mode);
        if (!max) ModelBuilder::Int(node, "count_include_pad", include_pad);
        m.AddOutput("y", {});
        auto bytes = m.Serialize();
        ASSERT_TRUE(bytes.ok());
        const auto got = RunBoth(*bytes, {{"x", x}});
        ASSERT_EQ(got.size(), 1u);
        const int64_t size[3] = {d, h, wd};
        int64_t out[3];
        for (int a = 0; a < 3; ++a) out[a] = OutSize(win, size[a], a, ceil_mode != 0);
        ASSERT_EQ(got[0].shape(), (std::vector<int64_t>{n, c, out[0], out[1], out[2]}));
        std::vector<float> want;
        for (int64_t ch = 0; ch < c; ++ch)
          for (int64_t z = 0; z < out[0]; ++z)
            for (int64_t y = 0; y < out[1]; ++y)
              for (int64_t q = 0; q < out[2]; ++q) {
                const int64_t at[3] = {z, y, q};
                int64_t lo[3], hi[3], padded = 1;
                for (int a = 0; a < 3; ++a) {
                  const int64_t start = at[a] * win.strides[a] - win.pads[a];
                  const int64_t end = std::min(start + win.kernel[a], size[a] + win.pads[a + 3]);
                  padded *= end - start;
                  lo[a] = std::max<int64_t>(start, 0);
                  hi[a] = std::min(end, size[a]);
                }
                double s = 0, best = -1e30;
                int64_t count = 0;
                for (int64_t iz = lo[0]; iz < hi[0]; ++iz)
                  for (int64_t iy = lo[1]; iy < hi[1]; ++iy)
                    for (int64_t ix = lo[2]; ix < hi[2]; ++ix) {
                      const float v = x.data<float>()[((ch * d + iz) * h + iy) * wd + ix];
                      s += v;
                      best = std::max<double>(best, v);
                      ++count;
                    }
                want.push_back(static_cast<float>(max ? best : s / (include_pad ? padded : count)));
              }
        ir::ops::testing::ExpectAllNear(Values(got[0]), want, 1e-5f, op);
      }
    }
  }
}

TEST(DecomposedOpsTest, DilatedMaxPoolingWithIndicesMatchesTheDefinition) {
  const int64_t n = 2, c = 2, h = 7, w = 8;
  // Few distinct values: windows hold ties, and the first of them must win.
  NDArray x = Floats({n, c, h, w}, 61);
  for (int64_t i = 0; i < x.NumElements(); ++i) {
    x.data<float>()[i] = std::round(x.data<float>()[i] * 2.0f);
  }
  // Axis 0 of the 3-D window helpers is unused: (kd, sd, dd) = 1, no pads.
  const Window win = {{1, 3, 2}, {1, 2, 1}, {1, 2, 3}, {0, 1, 0, 0, 0, 2}};
  for (int64_t ceil_mode : {0, 1}) {
    for (int64_t storage_order : {0, 1}) {
      SCOPED_TRACE(::testing::Message() << "ceil_mode " << ceil_mode << ", storage_order "
                                        << storage_order);
      ModelBuilder m("dilated", 12, 0);
      m.AddInput("x", x.shape());
      onnx::NodeProto* node = m.Node("MaxPool", {"x"}, "y");
      node->add_output("indices");
      ModelBuilder::Ints(node, "kernel_shape", {3, 2});
      ModelBuilder::Ints(node, "strides", {2, 1});
      ModelBuilder::Ints(node, "dilations", {2, 3});
      ModelBuilder::Ints(node, "pads", {1, 0, 0, 2});
      ModelBuilder::Int(node, "ceil_mode", ceil_mode);
      ModelBuilder::Int(node, "storage_order", storage_order);
      m.AddOutput("y", {});
      m.AddOutput("indices", {});
      auto bytes = m.Serialize();
      ASSERT_TRUE(bytes.ok());
      onnx::ModelProto model;  // the indices are int64
      ASSERT_TRUE(model.ParseFromString(*bytes));
      model.mutable_graph()->mutable_output(1)->mutable_type()->mutable_tensor_type()
          ->set_elem_type(onnx::TensorProto::INT64);
      const auto got = RunBoth(model.SerializeAsString(), {{"x", x}});
      ASSERT_EQ(got.size(), 2u);
      const int64_t oh = OutSize(win, h, 1, ceil_mode != 0);
      const int64_t ow = OutSize(win, w, 2, ceil_mode != 0);
      ASSERT_EQ(got[0].shape(), (std::vector<int64_t>{n, c, oh, ow}));
      ASSERT_EQ(got[1].shape(), (std::vector<int64_t>{n, c, oh, ow}));
      ASSERT_EQ(got[1].dtype(), runtime::DType::kInt64);
      std::vector<float> want;
      std::vector<int64_t> want_index;
      for (int64_t plane = 0; plane < n * c; ++plane)
        for (int64_t y = 0; y < oh; ++y)
          for (int64_t q = 0; q < ow; ++q) {
            float best = -std::numeric_limits<float>::infinity();
            int64_t at = -1;
            for (int64_t ky = 0; ky < 3; ++ky)
              for (int64_t kx = 0; kx < 2; ++kx) {
                const int64_t iy = y * 2 + ky * 2 - 1, ix = q + kx * 3;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                const float v = x.data<float>()[(plane * h + iy) * w + ix];
                if (at < 0 || v > best) {
                  best = v;
                  at = plane * h * w + (storage_order == 0 ? iy * w + ix : ix * h + iy);
                }
              }
            want.push_back(best);
            want_index.push_back(at);
          }
      EXPECT_EQ(Values(got[0]), want);
      EXPECT_EQ(std::vector<int64_t>(got[1].data<int64_t>(),
                                     got[1].data<int64_t>() + got[1].NumElements()),
                want_index);
    }
  }
}

// Pow by a constant 2 becomes a multiplication (it fuses; a power call per
// element does not), bit for bit the same; other exponents stay powers.
TEST(DecomposedOpsTest, PowByAConstantTwoIsAProduct) {
  const NDArray x = Floats({3, 5}, 21);
  for (const float exponent : {2.0f, 3.0f, 0.5f}) {
    ModelBuilder m("pow", 13, 0);
    m.AddInput("x", x.shape());
    m.Node("Pow", {"x", m.Scalar("e", exponent)}, "y");
    m.AddOutput("y", {});
    auto bytes = m.Serialize();
    ASSERT_TRUE(bytes.ok());
    auto g = ImportOnnxBytes(*bytes);
    ASSERT_TRUE(g.ok()) << g.status();
    int pows = 0;
    for (const auto& n : g->nodes()) pows += n.op == "pow";
    EXPECT_EQ(pows, exponent == 2.0f ? 0 : 1) << exponent;
    const std::vector<float> got = Values(RunBoth(*bytes, {{"x", x}})[0]);
    std::vector<float> want;
    for (float v : Values(x)) want.push_back(std::pow(v, exponent));
    ir::ops::testing::ExpectAllNear(got, want, exponent == 2.0f ? 0.0f : 1e-6f,
                                    absl::StrCat("x ** ", exponent));
  }
}

}  // namespace
}  // namespace kiln::frontend

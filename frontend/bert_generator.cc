#include "frontend/bert_generator.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "frontend/model_builder.h"

namespace kiln::frontend {
namespace {

// LayerNorm over the last axis, decomposed as PyTorch exports it below opset 17.
std::string LayerNorm(ModelBuilder& b, const std::string& x, const std::string& name,
                      int64_t hidden) {
  const auto mean = [&](const std::string& v, const std::string& out) {
    ModelBuilder::Ints(b.Node("ReduceMean", {v}, out), "axes", {-1});
    return out;
  };
  auto centered = b.Apply("Sub", {x, mean(x, name + "_mean")}, name + "_sub");
  auto squared = b.Apply("Pow", {centered, b.Scalar(name + "_two", 2.0f)}, name + "_pow");
  auto var = mean(squared, name + "_var");
  auto eps = b.Apply("Add", {var, b.Scalar(name + "_eps", 1e-12f)}, name + "_add_eps");
  auto norm = b.Apply("Div", {centered, b.Apply("Sqrt", {eps}, name + "_sqrt")}, name + "_div");
  auto gamma = b.Uniform(name + "_gamma", {hidden}, 0.8f, 1.2f);
  auto beta = b.Uniform(name + "_beta", {hidden}, -0.1f, 0.1f);
  return b.Apply("Add", {b.Apply("Mul", {norm, gamma}, name + "_mul"), beta}, name);
}

}  // namespace

absl::StatusOr<std::string> GenerateBert(const BertOptions& o) {
  if (o.layers < 1 || o.hidden < 1 || o.heads < 1 || o.intermediate < 1 || o.sequence < 1) {
    return absl::InvalidArgumentError("BERT: every size must be positive");
  }
  if (o.hidden % o.heads != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("BERT: hidden size ", o.hidden, " is not a multiple of the ", o.heads,
                     " heads"));
  }
  const int64_t s = o.sequence, h = o.hidden, head_size = o.hidden / o.heads;
  ModelBuilder b("bert_encoder", /*opset=*/13, o.seed);
  b.AddInput("embeddings", {1, s, h});
  const std::string split_heads = b.Int64s("split_heads_shape", {1, s, o.heads, head_size});
  const std::string merge_heads = b.Int64s("merge_heads_shape", {1, s, h});
  const std::string scale = b.Scalar("attention_scale", std::sqrt(static_cast<float>(head_size)));
  std::string x = "embeddings";
  for (int64_t layer = 0; layer < o.layers; ++layer) {
    const std::string p = absl::StrCat("layer", layer);
    // [1, S, hidden] -> [1, heads, S, head_size], or [1, heads, head_size, S]
    // for the keys.
    const auto heads = [&](const std::string& name, std::vector<int64_t> perm) {
      auto y = b.Linear(x, p + "_" + name, h, h);
      y = b.Apply("Reshape", {y, split_heads}, p + "_" + name + "_reshape");
      auto* t = b.Node("Transpose", {y}, p + "_" + name + "_transpose");
      ModelBuilder::Ints(t, "perm", perm);
      return t->output(0);
    };
    const std::string q = heads("query", {0, 2, 1, 3});
    const std::string k = heads("key", {0, 2, 3, 1});
    const std::string v = heads("value", {0, 2, 1, 3});
    auto scores = b.Apply("MatMul", {q, k}, p + "_scores");
    scores = b.Apply("Div", {scores, scale}, p + "_scaled");
    ModelBuilder::Int(b.Node("Softmax", {scores}, p + "_probs"), "axis", -1);
    auto context = b.Apply("MatMul", {p + "_probs", v}, p + "_context");
    ModelBuilder::Ints(b.Node("Transpose", {context}, p + "_context_transpose"), "perm",
                       {0, 2, 1, 3});
    context = b.Apply("Reshape", {p + "_context_transpose", merge_heads}, p + "_context_merged");
    auto attention = b.Linear(context, p + "_attention_output", h, h);
    attention = b.Apply("Add", {attention, x}, p + "_attention_residual");
    attention = LayerNorm(b, attention, p + "_attention_layernorm", h);
    auto ffn = b.Gelu(b.Linear(attention, p + "_intermediate", h, o.intermediate), p + "_gelu");
    ffn = b.Linear(ffn, p + "_output", o.intermediate, h);
    ffn = b.Apply("Add", {ffn, attention}, p + "_output_residual");
    x = LayerNorm(b, ffn, p + "_output_layernorm", h);
  }
  b.Apply("Identity", {x}, "last_hidden_state");
  b.AddOutput("last_hidden_state", {1, s, h});
  return b.Serialize();
}

}  // namespace kiln::frontend

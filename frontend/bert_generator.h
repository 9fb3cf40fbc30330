// A BERT-base encoder (Devlin et al. 2018) with seeded weights, written the
// way PyTorch's ONNX exporter writes Hugging Face's BertModel at opset 13,
// without fused attention or LayerNormalization operators: per layer,
// MatMul + Add for Q, K and V, Reshape to [1, S, heads, head_size] and
// Transpose to [1, heads, S, head_size] (K straight to [1, heads, head_size,
// S]), MatMul Q x K^T, Div by sqrt(head_size), Softmax(axis=-1), MatMul with
// V, Transpose and Reshape back, the output projection, the residual Add and
// LayerNorm decomposed into ReduceMean, Sub, Pow, ReduceMean, Add eps, Sqrt,
// Div, Mul gamma, Add beta; then the FFN with GELU through Erf, residual,
// LayerNorm.
//
// The token embedding lookup is left out: the input "embeddings" is the
// float [1, S, hidden] sum of word, position and type embeddings, so the
// model has one float input like the vision models. Output
// "last_hidden_state" [1, S, hidden]. BERT-base at S = 128: 85 M parameters,
// 22.4 GFLOP.
#ifndef KILN_FRONTEND_BERT_GENERATOR_H_
#define KILN_FRONTEND_BERT_GENERATOR_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace kiln::frontend {

struct BertOptions {
  uint64_t seed = 1;
  int64_t layers = 12;
  int64_t hidden = 768;
  int64_t heads = 12;
  int64_t intermediate = 3072;
  int64_t sequence = 128;
};

// The serialized ModelProto.
absl::StatusOr<std::string> GenerateBert(const BertOptions& options = {});

}  // namespace kiln::frontend

#endif  // KILN_FRONTEND_BERT_GENERATOR_H_

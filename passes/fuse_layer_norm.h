// LayerNormalization recognized in the decomposed form that exporters write
// below opset 17 (PyTorch's and TensorFlow's transformers):
//
//   m = reduce_mean(x, trailing axes)      d = x - m
//   v = reduce_mean(d * d, same axes)      (pow(d, 2) imports as d * d)
//   y = d / sqrt(v + eps)   [* gamma]   [+ beta]
//
// becomes one layer_norm node, which computes each row's statistics and its
// normalized values in one kernel instead of five or six passes over the
// tensor. The intermediate values must have no other reader; gamma and beta
// must be constants of one value or one per normalized element.
#ifndef KILN_PASSES_FUSE_LAYER_NORM_H_
#define KILN_PASSES_FUSE_LAYER_NORM_H_

#include "absl/status/status.h"
#include "ir/graph/graph.h"

namespace kiln::passes {

absl::Status FuseLayerNorm(graph::Graph& g);

}  // namespace kiln::passes

#endif  // KILN_PASSES_FUSE_LAYER_NORM_H_

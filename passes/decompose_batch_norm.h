// Turns each BatchNorm that could not be folded into a convolution (one that
// follows an add or a pool, as in pre-activation ResNets) into a per-channel
// multiply and add with constants computed now, which the elementwise fusion
// then merges with its neighbours (e.g. the ReLU after it).
#ifndef KILN_PASSES_DECOMPOSE_BATCH_NORM_H_
#define KILN_PASSES_DECOMPOSE_BATCH_NORM_H_

#include "absl/status/status.h"
#include "ir/graph/graph.h"

namespace kiln::passes {

absl::Status DecomposeBatchNorm(graph::Graph& g);

}  // namespace kiln::passes

#endif  // KILN_PASSES_DECOMPOSE_BATCH_NORM_H_

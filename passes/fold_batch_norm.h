// Folds an inference BatchNorm into the convolution before it: the conv's
// weights are scaled per output channel and the shift becomes its bias, so
// the normalization costs nothing at run time.
#ifndef KILN_PASSES_FOLD_BATCH_NORM_H_
#define KILN_PASSES_FOLD_BATCH_NORM_H_

#include "absl/status/status.h"
#include "ir/graph/graph.h"

namespace kiln::passes {

absl::Status FoldBatchNorm(graph::Graph& g);

}  // namespace kiln::passes

#endif  // KILN_PASSES_FOLD_BATCH_NORM_H_

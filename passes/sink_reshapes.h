// Elementwise work moved to the side of a reshape where it meets its
// neighbours. A 1-D convolution runs as a 2-D one between two reshapes
// ([N, C, L] <-> [N, C, 1, L]), so the activation after it computes on
// the 3-D view and reaches the convolution only through reshapes, each a
// copy, that also keep the activation from fusing into the convolution and
// make the layout pass convert back to NCHW around it. Computed on the
// reshape's input instead, the activation sits next to the convolution, and
// the reshapes meet and cancel: reshape(reshape(x)) is one reshape of x, and
// a reshape to x's own shape is x.
#ifndef KILN_PASSES_SINK_RESHAPES_H_
#define KILN_PASSES_SINK_RESHAPES_H_

#include "absl/status/status.h"
#include "ir/graph/graph.h"

namespace kiln::passes {

// Rewrites y = f(reshape(a), reshape(b), scalars...) for an elementwise or
// broadcasting f whose reshaped operands come from one shape S as
// y = reshape(f(a, b, scalars...)), where every reader of those reshapes
// is itself rewritten or a reshape (so no reshape stays alive beside the
// new one); folds reshape chains and drops reshapes to their input's shape.
// Leaves the reshapes it bypasses for eliminate_dead_code.
absl::Status SinkReshapes(graph::Graph& g);

}  // namespace kiln::passes

#endif  // KILN_PASSES_SINK_RESHAPES_H_

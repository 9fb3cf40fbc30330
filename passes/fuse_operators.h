// Operator fusion: fewer kernels, fewer passes over memory.
//
// FuseConvEpilogue folds what follows a conv2d_nchwc into the kernel's
// store: an add of a per-channel constant (bias), an add of another tensor of
// the output's shape (the residual), and a ReLU, in that order, as long as
// each intermediate result has no other reader.
//
// FuseElementwise merges chains of elementwise operators whose intermediate
// results have one reader and the chain's full shape into one
// fused_elementwise node, computed in one loop.
//
// FusePostOps then moves an elementwise node (a chain's fused_elementwise
// node, such as GELU or SiLU) onto the convolution or dense kernel whose
// output it reads, directly or through a reshape, when nothing else reads
// that output: the kernel stores the node's result (ir/graph/post_ops.h)
// and a reshape gives it the node's shape. The node's other operands must
// be float32 and read the same elements in the kernel's shape: the node's
// element count, or broadcasts that vary only along trailing dimensions
// both shapes share.
#ifndef KILN_PASSES_FUSE_OPERATORS_H_
#define KILN_PASSES_FUSE_OPERATORS_H_

#include "absl/status/status.h"
#include "ir/graph/graph.h"

namespace kiln::passes {

absl::Status FuseConvEpilogue(graph::Graph& g);
absl::Status FuseElementwise(graph::Graph& g);
absl::Status FusePostOps(graph::Graph& g);

}  // namespace kiln::passes

#endif  // KILN_PASSES_FUSE_OPERATORS_H_

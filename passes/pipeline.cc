#include "passes/pipeline.h"

#include <iostream>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ir/graph/op_registry.h"
#include "passes/conv_transpose_as_conv.h"
#include "passes/convert_dense.h"
#include "passes/convert_to_nchwc.h"
#include "passes/decompose_batch_norm.h"
#include "passes/eliminate_dead_code.h"
#include "passes/fold_batch_norm.h"
#include "passes/fuse_layer_norm.h"
#include "passes/fuse_operators.h"
#include "passes/schedule_matmul.h"
#include "passes/sink_reshapes.h"
#include "passes/split_padded_taps.h"
#include "runtime/env_flag.h"

namespace kiln::passes {

absl::Status OptimizeGraph(graph::Graph& g, const PipelineOptions& options) {
  using Pass = std::function<absl::Status(graph::Graph&)>;
  // Constant folding happens while importing (nodes whose inputs are all
  // constant are evaluated on the spot), so the list starts after it.
  std::vector<std::pair<const char*, Pass>> pipeline = {
      {"fold_batch_norm", FoldBatchNorm},
      {"decompose_batch_norm", DecomposeBatchNorm},
      {"eliminate_dead_code", EliminateDeadCode},
      {"infer_types", graph::InferTypes},
      {"sink_reshapes", SinkReshapes},
      {"fuse_layer_norm", FuseLayerNorm},
      {"split_padded_taps", [](graph::Graph& graph) { return SplitPaddedTaps(graph); }},
      {"eliminate_dead_code", EliminateDeadCode},
  };
  if (options.target) {
    pipeline.insert(pipeline.end(),
                    {
                        {"conv_transpose_as_conv", ConvTransposeAsConv},
                        {"convert_to_nchwc",
                         [&](graph::Graph& graph) {
                           return ConvertToNCHWc(graph, *options.target, options.schedules);
                         }},
                        {"convert_dense",
                         [&](graph::Graph& graph) {
                           return ConvertDense(graph, *options.target, options.schedules);
                         }},
                        {"schedule_matmul",
                         [&](graph::Graph& graph) {
                           return ScheduleMatmul(graph, *options.target, options.schedules);
                         }},
                        {"fuse_conv_epilogue", FuseConvEpilogue},
                        {"fuse_elementwise", FuseElementwise},
                        {"fuse_post_ops", FusePostOps},
                        {"eliminate_dead_code", EliminateDeadCode},
                    });
  }
  const bool dump_env = runtime::EnvFlag("KILN_DUMP_GRAPH");
  for (const auto& [name, pass] : pipeline) {
    if (auto st = pass(g); !st.ok()) {
      return absl::Status(st.code(), absl::StrCat("graph pass ", name, ": ", st.message()));
    }
    if (options.dump) options.dump(name, g);
    if (dump_env) std::cerr << "---- graph after " << name << " ----\n" << g.ToString();
  }
  return absl::OkStatus();
}

}  // namespace kiln::passes

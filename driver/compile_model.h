// Loading and compiling a model, as `kiln compile` does: import the ONNX
// file (input shapes fixed by name), pick each tunable node's schedule from
// tuning records or the target's defaults, and compile the whole graph.
#ifndef KILN_DRIVER_COMPILE_MODEL_H_
#define KILN_DRIVER_COMPILE_MODEL_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "codegen/graph_compiler.h"
#include "driver/input_shapes.h"
#include "frontend/onnx_importer.h"
#include "ir/graph/graph.h"
#include "targets/target.h"

namespace kiln::driver {

// An --input_shapes value that fits the model at `path`: each input with
// its declared dimensions, open ones as 1. Empty when the model cannot be
// read. For error messages.
std::string ExampleInputShapes(const std::string& path);

struct CompileModelOptions {
  std::string target = "llvm";
  frontend::InputShapes input_shapes;
  std::string tuning_records;  // empty: the target's default schedules
};

struct CompiledModel {
  targets::Target target;
  codegen::CompiledGraph compiled;
  // With records: the tunable workloads they had no valid record for, and
  // one message for the user on what they did (how many workloads they
  // tuned; when none, why not).
  std::vector<std::string> untuned_workloads;
  std::string records_summary;
};

absl::StatusOr<CompiledModel> CompileModel(graph::Graph g, const CompileModelOptions& options);

}  // namespace kiln::driver

#endif  // KILN_DRIVER_COMPILE_MODEL_H_

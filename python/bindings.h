// The parts of the _kiln extension module, each registered by its own file.
#ifndef KILN_PYTHON_BINDINGS_H_
#define KILN_PYTHON_BINDINGS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "driver/compile_model.h"
#include "ir/graph/graph.h"
#include "pybind11/pybind11.h"
#include "runtime/graph_executor.h"
#include "runtime/loaded_model.h"

namespace kiln::codegen {
class JitModule;
}

namespace kiln::python {

// An imported model (Relay's IRModule): immutable, so builds and task
// extraction each take their own copy of the graph.
struct Model {
  std::shared_ptr<const graph::Graph> graph;
};

// A built model (relay.build's result) or a loaded artifact
// (runtime.load_module's): what graph modules run.
class Library {
 public:
  explicit Library(driver::CompiledModel compiled);
  explicit Library(std::shared_ptr<const runtime::LoadedModel> loaded, std::string path);

  // A new run state; `keep_alive` holds whatever its kernels live in.
  struct Run {
    std::shared_ptr<const void> keep_alive;
    std::unique_ptr<runtime::GraphExecutor> executor;
  };
  // Both are called without the GIL.
  absl::StatusOr<Run> NewRun();
  absl::Status Export(const std::string& path) const;
  const driver::CompiledModel* compiled() const { return compiled_.get(); }

 private:
  std::shared_ptr<const driver::CompiledModel> compiled_;
  absl::Mutex mu_;
  std::shared_ptr<codegen::JitModule> jit_ ABSL_GUARDED_BY(mu_);  // compiled on first use
  std::shared_ptr<const runtime::LoadedModel> loaded_;
  std::string loaded_path_;
};

// A copy of `model`'s graph with the constants named in `params` (a dict of
// NumPy arrays, Relay's params) replaced; each must keep its shape and dtype.
graph::Graph GraphWithParams(const Model& model, const pybind11::object& params);

void RegisterCompiler(pybind11::module_& m);  // from_onnx, build, Library
void RegisterRuntime(pybind11::module_& m);   // load_module, GraphModule
void RegisterAutotvm(pybind11::module_& m);   // tasks, tuners, tune

}  // namespace kiln::python

#endif  // KILN_PYTHON_BINDINGS_H_

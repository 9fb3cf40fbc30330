// kiln.frontend.from_onnx, kiln.build and the library they give.
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "codegen/graph_compiler.h"
#include "codegen/jit.h"
#include "frontend/onnx_importer.h"
#include "pybind11/stl.h"
#include "python/arrays.h"
#include "python/bindings.h"
#include "python/errors.h"

namespace kiln::python {
namespace py = pybind11;
namespace {

frontend::InputShapes ShapesOf(const py::object& shape_dict) {
  frontend::InputShapes shapes;
  if (shape_dict.is_none()) return shapes;
  for (const auto& [name, shape] : py::cast<py::dict>(shape_dict)) {
    std::vector<int64_t> dims;
    for (const auto& d : shape) dims.push_back(py::cast<int64_t>(d));
    shapes[py::cast<std::string>(name)] = dims;
  }
  return shapes;
}

// Relay's params: the model's named weights, as read-only NumPy views.
py::dict ParamsOf(const graph::Graph& g) {
  py::dict params;
  for (const graph::Value& v : g.values()) {
    if (!v.constant || v.name.empty()) continue;
    py::array a = ToNumpy(*v.constant);
    a.attr("flags").attr("writeable") = false;
    params[py::str(v.name)] = a;
  }
  return params;
}

py::tuple FromOnnx(const py::object& model, const py::object& shape_dict) {
  const frontend::InputShapes shapes = ShapesOf(shape_dict);
  absl::StatusOr<graph::Graph> g;
  if (py::isinstance<py::str>(model) || py::hasattr(model, "__fspath__")) {
    const std::string path = py::str(model);
    py::gil_scoped_release release;
    g = frontend::ImportOnnxFile(path, shapes);
  } else if (py::isinstance<py::bytes>(model) || py::hasattr(model, "SerializeToString")) {
    const std::string bytes = py::isinstance<py::bytes>(model)
                                  ? py::cast<std::string>(model)
                                  : py::cast<std::string>(model.attr("SerializeToString")());
    py::gil_scoped_release release;
    g = frontend::ImportOnnxBytes(bytes, shapes);
  } else {
    throw py::type_error(absl::StrCat(
        "from_onnx takes a path, the model's bytes or an onnx.ModelProto, not ",
        std::string(py::str(model.get_type()))));
  }
  auto graph = std::make_shared<const graph::Graph>(Unwrap(std::move(g)));
  py::dict params = ParamsOf(*graph);
  return py::make_tuple(Model{graph}, params);
}

std::shared_ptr<Library> Build(const Model& model, const std::string& target,
                               const py::object& params, const std::string& records) {
  graph::Graph g = GraphWithParams(model, params);
  driver::CompileModelOptions options;
  options.target = target;
  options.tuning_records = records;
  absl::StatusOr<driver::CompiledModel> compiled;
  {
    py::gil_scoped_release release;
    compiled = driver::CompileModel(std::move(g), options);
  }
  return std::make_shared<Library>(Unwrap(std::move(compiled)));
}

}  // namespace

graph::Graph GraphWithParams(const Model& model, const py::object& params) {
  graph::Graph g = *model.graph;
  if (params.is_none()) return g;
  for (const auto& [key, value] : py::cast<py::dict>(params)) {
    const std::string name = py::cast<std::string>(key);
    graph::Value* target = nullptr;
    for (graph::Value& v : g.mutable_values()) {
      if (v.constant && v.name == name) target = &v;
    }
    if (target == nullptr) {
      ThrowIfError(absl::NotFoundError(absl::StrCat("params: the model has no weight named '",
                                                    name, "'")));
    }
    ArrayView given = ViewOf(py::cast<py::array>(value));
    if (given.view.dtype() != target->constant->dtype() ||
        given.view.shape() != target->constant->shape()) {
      ThrowIfError(absl::InvalidArgumentError(absl::StrCat(
          "params: weight '", name, "' is ", target->type.ToString(), ", the array given is ",
          runtime::DTypeName(given.view.dtype()), given.view.ShapeString())));
    }
    // Only a changed weight is copied: from_onnx's params are the
    // model's own arrays.
    if (given.view.raw_data() != target->constant->raw_data()) {
      target->constant = Unwrap(given.view.Clone());
    }
  }
  return g;
}

Library::Library(driver::CompiledModel compiled)
    : compiled_(std::make_shared<const driver::CompiledModel>(std::move(compiled))) {}

Library::Library(std::shared_ptr<const runtime::LoadedModel> loaded, std::string path)
    : loaded_(std::move(loaded)), loaded_path_(std::move(path)) {}

absl::StatusOr<Library::Run> Library::NewRun() {
  if (loaded_) {
    auto executor = loaded_->NewRun();
    if (!executor.ok()) return executor.status();
    return Run{loaded_, *std::move(executor)};
  }
  absl::MutexLock lock(&mu_);
  if (!jit_) {
    auto jit = codegen::JitModule::Compile(compiled_->compiled.kernels, compiled_->target);
    if (!jit.ok()) return jit.status();
    jit_ = *std::move(jit);
  }
  codegen::JitModule* jit = jit_.get();
  auto executor = runtime::GraphExecutor::Create(
      compiled_->compiled.plan, [jit](const std::string& name) { return jit->Lookup(name); });
  if (!executor.ok()) return executor.status();
  return Run{jit_, *std::move(executor)};
}

absl::Status Library::Export(const std::string& path) const {
  if (loaded_) {
    std::error_code error;
    std::filesystem::copy_file(loaded_path_, path,
                               std::filesystem::copy_options::overwrite_existing, error);
    if (error) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot copy ", loaded_path_, " to ", path, ": ", error.message()));
    }
    return absl::OkStatus();
  }
  if (auto st = codegen::CheckArtifactPath(path); !st.ok()) return st;
  return codegen::WriteArtifact(compiled_->compiled, compiled_->target, path);
}

void RegisterCompiler(py::module_& m) {
  py::class_<Model>(m, "Module", "An imported model (Relay's IRModule).")
      .def("__str__", [](const Model& model) { return model.graph->ToString(); })
      .def("astext", [](const Model& model) { return model.graph->ToString(); })
      .def("__getitem__",
           [](const Model& model, const std::string& name) {
             if (name != "main") throw py::key_error("a kiln module has one function, 'main'");
             return model;
           })
      .def_property_readonly("input_names", [](const Model& model) {
        std::vector<std::string> names;
        for (int id : model.graph->inputs()) names.push_back(model.graph->value(id).name);
        return names;
      })
      .def_property_readonly("output_names",
                             [](const Model& model) { return model.graph->output_names(); });

  m.def("from_onnx", &FromOnnx, py::arg("model"), py::arg("shape") = py::none());

  py::class_<Library, std::shared_ptr<Library>>(
      m, "Library", "A compiled model: run it with GraphModule, save it with export_library.")
      .def(
          "export_library",
          [](Library& lib, const py::object& path) {
            const std::string p = py::str(path);
            absl::Status st;
            {
              py::gil_scoped_release release;
              st = lib.Export(p);
            }
            ThrowIfError(st);
          },
          py::arg("path"))
      .def_property_readonly("records_summary",
                             [](const Library& lib) {
                               return lib.compiled() ? lib.compiled()->records_summary : "";
                             })
      .def_property_readonly("untuned_workloads", [](const Library& lib) {
        return lib.compiled() ? lib.compiled()->untuned_workloads : std::vector<std::string>();
      });

  m.def("build", &Build, py::arg("mod"), py::arg("target"), py::arg("params"),
        py::arg("records"));
}

}  // namespace kiln::python

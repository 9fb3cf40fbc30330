// kiln.runtime: load_module and GraphModule (TVM's graph_executor).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "driver/run_model.h"
#include "pybind11/stl.h"
#include "python/arrays.h"
#include "python/bindings.h"
#include "python/errors.h"
#include "runtime/thread_pool.h"

namespace kiln::python {
namespace py = pybind11;
namespace {

// One run state. Its calls are serialized, so that a module shared by
// Python threads by mistake gives each run's outputs instead of a mix;
// threads that should run at once each take a GraphModule of their own.
class GraphModule {
 public:
  explicit GraphModule(std::shared_ptr<Library> lib) {
    absl::StatusOr<Library::Run> run;
    {
      py::gil_scoped_release release;
      run = lib->NewRun();
    }
    run_ = Unwrap(std::move(run));
  }

  runtime::GraphExecutor& executor() { return *run_.executor; }

  int InputIndex(const py::object& key) {
    if (py::isinstance<py::int_>(key)) return py::cast<int>(key);
    const std::string name = py::cast<std::string>(key);
    std::string names;
    for (int i = 0; i < executor().num_inputs(); ++i) {
      if (executor().input(i).name == name) return i;
      absl::StrAppend(&names, i ? ", " : "", executor().input(i).name);
    }
    ThrowIfError(absl::NotFoundError(
        absl::StrCat("the model has no input named '", name, "'; its inputs are: ", names)));
    return -1;
  }

  void SetInput(const py::object& key, const py::object& value) {
    const int index = InputIndex(key);
    const py::array array = py::array::ensure(value);
    if (!array) throw py::error_already_set();
    if (index >= 0 && index < executor().num_inputs() && !HasKilnDType(array)) {
      const runtime::TensorSlot& slot = executor().input(index);
      std::vector<int64_t> shape(array.shape(), array.shape() + array.ndim());
      ThrowIfError(absl::InvalidArgumentError(absl::StrCat(
          "input '", slot.name, "' expects ", runtime::DTypeName(slot.dtype),
          runtime::ShapeToString(slot.shape), ", got ",
          std::string(py::str(py::handle(array.dtype()))), runtime::ShapeToString(shape))));
    }
    const ArrayView given = ViewOf(array);
    absl::Status st;
    {
      py::gil_scoped_release release;
      absl::MutexLock lock(&mu_);
      st = executor().SetInput(index, given.view);
    }
    ThrowIfError(st);
  }

  void Run() {
    absl::Status st;
    {
      py::gil_scoped_release release;
      absl::MutexLock lock(&mu_);
      st = executor().Run();
    }
    ThrowIfError(st);
  }

  absl::StatusOr<driver::TimingStats> Time(int number, int repeat, int min_repeat_ms) {
    absl::MutexLock lock(&mu_);
    return driver::TimeRuns([&] { return executor().Run(); }, repeat, number, min_repeat_ms);
  }

  int OutputIndex(const py::object& key) {
    if (py::isinstance<py::int_>(key)) return py::cast<int>(key);
    const std::string name = py::cast<std::string>(key);
    for (int i = 0; i < executor().num_outputs(); ++i) {
      if (executor().output(i).name == name) return i;
    }
    // GetOutput(name) says which names there are.
    ThrowIfError(executor().GetOutput(name).status());
    return -1;
  }

 private:
  absl::Mutex mu_;
  Library::Run run_;
};

py::dict TensorInfo(const runtime::TensorSlot& slot) {
  py::dict info;
  info["name"] = slot.name;
  info["dtype"] = runtime::DTypeName(slot.dtype);
  info["shape"] = py::tuple(py::cast(slot.shape));
  return info;
}

}  // namespace

void RegisterRuntime(py::module_& m) {
  m.def(
      "load_module",
      [](const py::object& path) {
        const std::string p = py::str(path);
        absl::StatusOr<std::shared_ptr<const runtime::LoadedModel>> loaded;
        {
          py::gil_scoped_release release;
          loaded = runtime::LoadedModel::Load(p);
        }
        return std::make_shared<Library>(Unwrap(std::move(loaded)), p);
      },
      py::arg("path"));

  m.def(
      "set_num_threads",
      [](int n) { ThrowIfError(runtime::GlobalThreadPool().SetNumThreads(n)); },
      py::arg("num_threads"));

  py::class_<driver::TimingStats>(m, "TimingStats")
      .def_readonly("mean_ms", &driver::TimingStats::mean_ms)
      .def_readonly("median_ms", &driver::TimingStats::median_ms)
      .def_readonly("max_ms", &driver::TimingStats::max_ms)
      .def_readonly("min_ms", &driver::TimingStats::min_ms)
      .def_readonly("std_ms", &driver::TimingStats::std_ms)
      .def_readonly("samples_ms", &driver::TimingStats::samples_ms)
      .def("__str__", &driver::FormatTimingStats);

  py::class_<GraphModule>(m, "GraphModule")
      .def(py::init<std::shared_ptr<Library>>(), py::arg("lib"))
      .def("set_input", &GraphModule::SetInput, py::arg("key"), py::arg("value"))
      .def("run", &GraphModule::Run)
      .def(
          "get_output",
          [](py::object self, const py::object& key) {
            GraphModule& gm = py::cast<GraphModule&>(self);
            const int index = gm.OutputIndex(key);
            // A view of the run state's buffer: this module stays alive as
            // long as the array does.
            return ToNumpy(Unwrap(gm.executor().GetOutput(index)), self);
          },
          py::arg("index"))
      .def("get_num_inputs", [](GraphModule& gm) { return gm.executor().num_inputs(); })
      .def("get_num_outputs", [](GraphModule& gm) { return gm.executor().num_outputs(); })
      .def("input_info",
           [](GraphModule& gm) {
             py::list infos;
             for (int i = 0; i < gm.executor().num_inputs(); ++i) {
               infos.append(TensorInfo(gm.executor().input(i)));
             }
             return infos;
           })
      .def("output_info",
           [](GraphModule& gm) {
             py::list infos;
             for (int i = 0; i < gm.executor().num_outputs(); ++i) {
               infos.append(TensorInfo(gm.executor().output(i)));
             }
             return infos;
           })
      .def(
          "time_runs",
          [](GraphModule& gm, int number, int repeat, int min_repeat_ms) {
            absl::StatusOr<driver::TimingStats> stats;
            {
              py::gil_scoped_release release;
              stats = gm.Time(number, repeat, min_repeat_ms);
            }
            return Unwrap(std::move(stats));
          },
          py::arg("number"), py::arg("repeat"), py::arg("min_repeat_ms"));
}

}  // namespace kiln::python

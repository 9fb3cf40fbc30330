// kiln.autotvm: task extraction, tuners (built-in plugins and tuners written
// in Python), the tuning loop with its callbacks.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "driver/tune_model.h"
#include "ir/tuning/template_registry.h"
#include "pybind11/stl.h"
#include "python/bindings.h"
#include "python/errors.h"
#include "targets/target_parser.h"
#include "tuners/graph_tasks.h"
#include "tuners/log_to_file.h"
#include "tuners/progress_bar.h"
#include "tuners/records.h"
#include "tuners/tune_loop.h"
#include "tuners/tuner.h"

namespace kiln::python {
namespace py = pybind11;
namespace {

struct Task {
  std::shared_ptr<const tuners::GraphTask> graph_task;
  targets::Target target;
  const tuning::TuningTask& task() const { return graph_task->task; }
};

struct ConfigSpace {
  std::shared_ptr<const tuners::GraphTask> graph_task;
  const tuning::ConfigSpace& space() const { return graph_task->task.space; }
};

struct PluginTuner {
  std::shared_ptr<const tuners::GraphTask> graph_task;
  std::unique_ptr<tuners::Tuner> tuner;
};

// A C++ callback (progress bar, records file) handed to Python.
struct NativeCallback {
  tuners::Callback callback;
};

// The first Python exception raised inside the loop (a callback, a Python
// tuner, Ctrl-C): the loop ends with an error status and the exception is
// re-raised as it was once the loop has returned.
struct PendingError {
  std::optional<py::error_already_set> error;

  // Called with the GIL held, while a Python exception is set.
  absl::Status Keep(absl::string_view where) {
    py::error_already_set e;
    const std::string message = absl::StrCat(where, ": ", e.what());
    if (!error) error.emplace(std::move(e));
    return absl::CancelledError(message);
  }
};

std::vector<tuning::Config> ConfigsOf(const tuning::TuningTask& task, const py::list& items) {
  std::vector<tuning::Config> configs;
  for (const py::handle& item : items) {
    const int64_t index = py::isinstance<tuning::Config>(item)
                              ? py::cast<const tuning::Config&>(item).index()
                              : py::cast<int64_t>(item);
    configs.push_back(Unwrap(task.space.Get(index)));
  }
  return configs;
}

// What Python tuners and callbacks see: the task object they were given.
struct MeasureInput {
  py::object task;
  tuning::Config config;
};

py::list InputsToPython(const py::object& task, const std::vector<tuners::MeasureInput>& inputs) {
  py::list out;
  for (const tuners::MeasureInput& in : inputs) out.append(MeasureInput{task, in.config});
  return out;
}

py::list ResultsToPython(const std::vector<tuners::MeasureResult>& results) {
  py::list out;
  for (const tuners::MeasureResult& r : results) out.append(r);
  return out;
}

// A tuner written in Python: next_batch(n) returns configs (Config objects
// or indices into the space), update(inputs, results) learns.
class PythonTuner final : public tuners::Tuner {
 public:
  PythonTuner(const tuning::TuningTask& task, py::object self, py::object task_object,
              PendingError& pending)
      : tuners::Tuner(task), self_(std::move(self)), task_object_(std::move(task_object)),
        pending_(pending) {}

  ~PythonTuner() override {
    py::gil_scoped_acquire gil;
    self_ = py::object();
    task_object_ = py::object();
  }

 protected:
  absl::StatusOr<std::vector<tuning::Config>> Propose(int n) override {
    py::gil_scoped_acquire gil;
    std::vector<tuning::Config> configs;
    try {
      configs = ConfigsOf(task(), py::list(self_.attr("next_batch")(n)));
    } catch (py::error_already_set& e) {
      e.restore();
      return pending_.Keep("next_batch");
    } catch (const std::exception& e) {
      return absl::InvalidArgumentError(absl::StrCat(
          "next_batch must return a list of configs (task.config_space.get(i)) or indices: ",
          e.what()));
    }
    // NextBatch treats a repeated or visited config as a bug in a C++
    // plugin; from Python it is the user's error.
    absl::flat_hash_set<int64_t> seen;
    std::vector<tuning::Config> fresh;
    for (const tuning::Config& c : configs) {
      if (!IsVisited(c.index()) && seen.insert(c.index()).second) fresh.push_back(c);
      if (static_cast<int>(fresh.size()) == n) break;
    }
    return fresh;
  }

  absl::Status Observe(const std::vector<tuners::MeasureInput>& inputs,
                       const std::vector<tuners::MeasureResult>& results) override {
    py::gil_scoped_acquire gil;
    try {
      self_.attr("update")(InputsToPython(task_object_, inputs), ResultsToPython(results));
    } catch (py::error_already_set& e) {
      e.restore();
      return pending_.Keep("update");
    }
    return absl::OkStatus();
  }

 private:
  py::object self_;
  py::object task_object_;
  PendingError& pending_;
};

// The loop copies callbacks without the GIL: the Python objects are held
// through shared pointers, whose last owner is Tune's frame, with the GIL.
tuners::Callback PythonCallback(py::object fn, py::object tuner, py::object task,
                                PendingError& pending) {
  tuners::Callback cb;
  auto shared = std::make_shared<py::object>(std::move(fn));
  auto tuner_ref = std::make_shared<py::object>(std::move(tuner));
  auto task_ref = std::make_shared<py::object>(std::move(task));
  cb.on_batch = [shared, tuner_ref, task_ref, &pending](
                    const tuners::TuneState&, const std::vector<tuners::MeasureInput>& inputs,
                    const std::vector<tuners::MeasureResult>& results) -> absl::Status {
    py::gil_scoped_acquire gil;
    try {
      (*shared)(*tuner_ref, InputsToPython(*task_ref, inputs), ResultsToPython(results));
    } catch (py::error_already_set& e) {
      e.restore();
      return pending.Keep("callback");
    }
    return absl::OkStatus();
  };
  return cb;
}

py::dict Tune(const py::object& task_object, const py::object& tuner_object, int n_trial,
              int early_stopping, const tuners::MeasureOption& option,
              const py::list& callbacks, uint64_t seed, const std::string& history) {
  const Task& t = py::cast<const Task&>(task_object);
  ThrowIfError(option.Validate());
  if (n_trial < 1) ThrowIfError(absl::InvalidArgumentError("n_trial must be at least 1"));
  PendingError pending;

  std::vector<tuners::Callback> loop_callbacks;
  for (const py::handle& cb : callbacks) {
    if (py::isinstance<NativeCallback>(cb)) {
      loop_callbacks.push_back(py::cast<const NativeCallback&>(cb).callback);
    } else if (PyCallable_Check(cb.ptr())) {
      loop_callbacks.push_back(PythonCallback(py::reinterpret_borrow<py::object>(cb),
                                              tuner_object, task_object, pending));
    } else {
      throw py::type_error(absl::StrCat("callbacks must be callables, not ",
                                        std::string(py::str(cb.get_type()))));
    }
  }

  std::unique_ptr<PythonTuner> python_tuner;
  tuners::Tuner* tuner = nullptr;
  if (py::isinstance<PluginTuner>(tuner_object)) {
    tuner = py::cast<PluginTuner&>(tuner_object).tuner.get();
  } else {
    python_tuner = std::make_unique<PythonTuner>(t.task(), tuner_object, task_object, pending);
    tuner = python_tuner.get();
  }

  auto measure = Unwrap(driver::MakeTaskMeasure(*t.graph_task, t.target, option));
  // Ctrl-C: Python's handler only notes the signal; it is looked at before
  // every n_parallel candidates (those are built together; the batch's
  // runs are one after another anyway), and the loop ends with
  // KeyboardInterrupt.
  const size_t chunk = std::max(1, option.n_parallel);
  tuners::MeasureFunction checked =
      [&measure, &pending, chunk](const std::vector<tuners::MeasureInput>& inputs)
      -> absl::StatusOr<std::vector<tuners::MeasureResult>> {
    std::vector<tuners::MeasureResult> results;
    for (size_t begin = 0; begin < inputs.size(); begin += chunk) {
      {
        py::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() != 0) return pending.Keep("interrupted");
      }
      const std::vector<tuners::MeasureInput> part(
          inputs.begin() + begin, inputs.begin() + std::min(inputs.size(), begin + chunk));
      auto measured = measure(part);
      if (!measured.ok()) return measured.status();
      results.insert(results.end(), measured->begin(), measured->end());
    }
    return results;
  };

  // As kiln tune resumes: this workload's records count as trials (not
  // measured again), the template's other workloads seed the cost model.
  std::vector<tuners::Record> resume;
  if (!history.empty()) {
    resume = Unwrap(tuners::ReadRecords(history)).records;
    std::vector<tuners::Record> others;
    for (const tuners::Record& r : resume) {
      if (r.task_name == t.task().name && r.WorkloadKey() != t.task().WorkloadKey()) {
        others.push_back(r);
      }
    }
    ThrowIfError(tuner->LoadHistory(others).status());
  }

  tuners::TuneOptions options;
  options.resume = history.empty() ? nullptr : &resume;
  options.n_trial = static_cast<int>(std::min<int64_t>(n_trial, t.task().space.size()));
  options.early_stopping = early_stopping;
  options.batch_size = std::min(8, options.n_trial);
  options.seed = seed;
  absl::StatusOr<tuners::TuneSummary> summary;
  {
    py::gil_scoped_release release;
    summary = tuners::Tune(t.task(), *tuner, options, checked, loop_callbacks);
  }
  if (pending.error) {
    pending.error->restore();
    throw py::error_already_set();
  }
  const tuners::TuneSummary s = Unwrap(std::move(summary));
  py::dict out;
  out["trials"] = s.state.trials_done;
  out["resumed"] = s.state.resumed;
  out["measured"] = s.measured;
  out["best_gflops"] = s.state.best_throughput * 1e-9;
  out["best_config"] =
      s.state.best_config ? py::cast(*s.state.best_config) : py::object(py::none());
  out["stop_reason"] = s.stop_reason == tuners::StopReason::kTrialBudget    ? "trial budget"
                       : s.stop_reason == tuners::StopReason::kEarlyStopping ? "early stopping"
                                                                             : "space exhausted";
  return out;
}

}  // namespace

void RegisterAutotvm(py::module_& m) {
  py::class_<tuning::Config>(m, "Config", "A point of a task's config space.")
      .def_property_readonly("index", &tuning::Config::index)
      .def("__str__", &tuning::Config::ToString)
      .def("__repr__", [](const tuning::Config& c) {
        return absl::StrCat("Config(", c.index(), ", ", c.ToString(), ")");
      });

  py::class_<ConfigSpace>(m, "ConfigSpace", "A task's config space; len() is its size.")
      .def("__len__", [](const ConfigSpace& s) { return s.space().size(); })
      .def(
          "get",
          [](const ConfigSpace& s, int64_t index) { return Unwrap(s.space().Get(index)); },
          py::arg("index"))
      .def("__str__", [](const ConfigSpace& s) {
        return absl::StrCat("ConfigSpace of ", s.space().size(), " configs");
      });

  py::class_<Task>(m, "Task", "A tunable workload of a model (AutoTVM's Task).")
      .def_property_readonly("name", [](const Task& t) { return t.task().name; })
      .def_property_readonly("args", [](const Task& t) { return t.task().args.Dump(); })
      .def_property_readonly("workload", [](const Task& t) { return tuning::DescribeTask(t.task()); })
      .def_property_readonly("workload_key", [](const Task& t) { return t.task().WorkloadKey(); })
      .def_property_readonly("target", [](const Task& t) { return t.task().target; })
      .def_property_readonly("flop", [](const Task& t) { return t.task().flop; })
      .def_property_readonly("occurrences", [](const Task& t) { return t.graph_task->occurrences; })
      .def_property_readonly("default_config", [](const Task& t) { return t.graph_task->default_config; })
      .def_property_readonly("config_space", [](const Task& t) { return ConfigSpace{t.graph_task}; })
      .def("__repr__", [](const Task& t) {
        return absl::StrCat("Task(", tuning::DescribeTask(t.task()), ")");
      });

  m.def(
      "extract_from_program",
      [](const Model& mod, const std::string& target, const py::object& params) {
        graph::Graph g = GraphWithParams(mod, params);
        const targets::Target parsed = Unwrap(targets::ParseTarget(target));
        absl::StatusOr<std::vector<tuners::GraphTask>> tasks;
        {
          py::gil_scoped_release release;
          tasks = tuners::ExtractTasks(g, parsed);
        }
        std::vector<Task> out;
        for (tuners::GraphTask& t : Unwrap(std::move(tasks))) {
          out.push_back({std::make_shared<const tuners::GraphTask>(std::move(t)), parsed});
        }
        return out;
      },
      py::arg("mod"), py::arg("target"), py::arg("params"));

  py::class_<tuners::MeasureOption>(m, "MeasureOption")
      .def(py::init<>())
      .def_readwrite("number", &tuners::MeasureOption::number)
      .def_readwrite("repeat", &tuners::MeasureOption::repeat)
      .def_readwrite("min_repeat_ms", &tuners::MeasureOption::min_repeat_ms)
      .def_readwrite("timeout", &tuners::MeasureOption::timeout_s)
      .def_readwrite("enable_cpu_cache_flush", &tuners::MeasureOption::enable_cpu_cache_flush)
      .def_readwrite("n_parallel", &tuners::MeasureOption::n_parallel);

  py::class_<tuners::MeasureResult>(m, "MeasureResult")
      .def_readonly("costs", &tuners::MeasureResult::costs)
      .def_property_readonly("error_no",
                             [](const tuners::MeasureResult& r) { return static_cast<int>(r.error_no); })
      .def_property_readonly("error_name",
                             [](const tuners::MeasureResult& r) {
                               return std::string(tuners::MeasureErrorName(r.error_no));
                             })
      .def_readonly("error_msg", &tuners::MeasureResult::error_msg)
      .def_readonly("all_cost", &tuners::MeasureResult::all_cost)
      .def_readonly("timestamp", &tuners::MeasureResult::timestamp)
      .def("__repr__", [](const tuners::MeasureResult& r) {
        return absl::StrCat("MeasureResult(median ", r.MedianCost(), " s, ",
                            tuners::MeasureErrorName(r.error_no), ")");
      });

  py::class_<MeasureInput>(m, "MeasureInput")
      .def_readonly("task", &MeasureInput::task)
      .def_readonly("config", &MeasureInput::config);

  py::class_<PluginTuner>(m, "PluginTuner", "A tuner plugin from kiln's registry, by name.")
      .def(py::init([](const Task& task, const std::string& name, uint64_t seed,
                       int population_size, const std::map<std::string, std::string>& params) {
             tuners::TunerOptions options;
             options.seed = seed;
             options.population_size = population_size;
             options.params = params;
             auto tuner = Unwrap(tuners::CreateTuner(name, task.task(), options));
             return PluginTuner{task.graph_task, std::move(tuner)};
           }),
           py::arg("task"), py::arg("name"), py::arg("seed"), py::arg("population_size"),
           py::arg("params"));

  m.def("tuner_names", [] { return tuners::TunerRegistry().Names(); });

  py::class_<NativeCallback>(m, "NativeCallback");
  m.def(
      "progress_bar",
      [](const std::string& prefix) {
        tuners::ProgressBarOptions options;
        options.prefix = prefix;
        options.out = stdout;
        return NativeCallback{tuners::ProgressBar(options)};
      },
      py::arg("prefix"));
  m.def(
      "log_to_file",
      [](const py::object& path) {
        return NativeCallback{Unwrap(tuners::LogToFile(py::str(path)))};
      },
      py::arg("path"));

  m.def("tune", &Tune, py::arg("task"), py::arg("tuner"), py::arg("n_trial"),
        py::arg("early_stopping"), py::arg("measure_option"), py::arg("callbacks"),
        py::arg("seed"), py::arg("history"));
}

}  // namespace kiln::python

// kiln: the command line compiler, in the spirit of TVM's tvmc.
//
//   kiln compile MODEL.onnx --target=T [--input_shapes=..] [--tuning_records=F] --output=model.so
//   kiln tune MODEL.onnx --target=T --output=records.json [--tuner=xgb] [--trials=N] ...
//             [--broker=redis://host:port --device_key=KEY]
//   kiln run model.so|MODEL.onnx [--inputs=in.npz] [--outputs=out.npz] [--print_time] ...
//   kiln list tuners | targets
//   kiln --plugin=libmy_tuner.so ...   (loads tuners or targets; repeatable)
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "driver/command_line.h"
#include "driver/compile_model.h"
#include "driver/plugins.h"
#include "driver/run_model.h"
#include "driver/tune_model.h"
#include "codegen/graph_compiler.h"
#include "frontend/onnx_converter_registry.h"
#include "frontend/onnx_importer.h"
#include "gflags/gflags.h"
#include "runtime/npy_format.h"
#include "targets/target_parser.h"
#include "targets/target_registry.h"
#include "tuners/tuner.h"

DEFINE_string(target, "llvm", "target string, e.g. \"llvm\" or \"llvm -mcpu=skylake-avx512\"");
DEFINE_string(input_shapes, "",
              "input shapes by name, e.g. \"data:[1,3,224,224]\"; several separated by spaces, "
              "commas or semicolons: \"a:[4,8] b:[8,16]\"");
DEFINE_int64(memory_budget, 0,
             "compile, tune: the most bytes one tensor of the model may take; larger ones are "
             "refused before anything is allocated (0: this machine's physical memory)");
DEFINE_string(tuning_records, "",
              "compile: records to take schedules from; tune: earlier records to resume from");
DEFINE_string(output, "", "compile: the artifact to write; tune: the records file to append to");
DEFINE_string(tuner, "xgb", "tune: search strategy (see `kiln list tuners`)");
DEFINE_string(tuner_param, "",
              "tune: a parameter of the tuner, key=value (repeatable, or comma-separated), "
              "e.g. --tuner_param=elite_num=3 for ga");
DEFINE_int32(population_size, 0,
             "tune: individuals per generation (ga) or annealing chains (xgb); 0: the tuner's "
             "default");
DEFINE_string(plugin, "",
              "shared object with tuner or target plugins, loaded at start-up (repeatable)");
DEFINE_int32(trials, 20, "tune: measurements per task");
DEFINE_int32(early_stopping, 0, "tune: stop a task after this many trials without a new best");
DEFINE_int32(in_model_rounds, 9,
             "tune: at the end, time the model with the picks against the defaults in this "
             "many interleaved runs and keep a pick only where the model's steps get faster "
             "(0: keep every pick that won alone)");
DEFINE_int32(number, 0, "runs per timed sample (tune default 1, run default 1)");
DEFINE_int32(repeat, 0, "timed samples (tune default 3, run default 1)");
DEFINE_int32(min_repeat_ms, 0, "tune: grow `number` until a sample takes this long");
DEFINE_double(timeout, 10, "tune: seconds a candidate may take to build or run");
DEFINE_bool(enable_cpu_cache_flush, true,
            "tune: flush caches before each sample, as a model's layers find them "
            "(--noenable_cpu_cache_flush times them hot)");
DEFINE_int32(parallel_builds, 2, "tune: candidates compiled at once");
DEFINE_string(broker, "",
              "tune: measure on kiln_worker machines through this Redis broker, "
              "redis://[user:password@]host:port (empty: measure here)");
DEFINE_string(device_key, "", "tune: with --broker, which workers measure (their --device_key)");
DEFINE_double(worker_timeout, 60,
              "tune: with --broker, seconds without any result before tuning fails");
DEFINE_int32(max_tasks, 0, "tune: only the first N tasks (0: all)");
DEFINE_uint64(seed, 0, "tune: seed of the tuner; run: seed of random inputs");
DEFINE_string(inputs, "",
              "run: .npz (or .npy) with the inputs by name; random when empty (running an "
              ".onnx file, they also fix its input shapes and the values of inputs kiln needs "
              "constant)");
DEFINE_string(input_values, "",
              "compile, tune: .npz (or .npy) with values of inputs kiln needs constant (a "
              "Reshape's shape or a Resize's sizes given as inputs, say): the model is compiled "
              "for them, and every run must feed the same");
DEFINE_string(outputs, "", "run: .npz (or .npy) to write the outputs to");
DEFINE_bool(print_time, false, "run: print mean, median, max, min and std of the run time");
DEFINE_bool(profile, false, "run: time each kernel and print them by time");
DEFINE_int32(num_threads, 0,
             "threads for kernels (0: KILN_NUM_THREADS, else the cores this process may use: "
             "its CPU affinity and cgroup quota; more is allowed but warned about)");

namespace kiln::driver {
namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "kiln: error: %s\n", std::string(status.message()).c_str());
  return 1;
}

// gflags keeps only the last value of a flag given twice, so the values of
// the repeatable flags are collected from the command line itself.
std::vector<std::string> RepeatedFlagValues(int argc, char** argv, absl::string_view name) {
  std::vector<std::string> values;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") break;
    if (!absl::ConsumePrefix(&arg, "--") && !absl::ConsumePrefix(&arg, "-")) continue;
    if (!absl::ConsumePrefix(&arg, name)) continue;
    if (absl::ConsumePrefix(&arg, "=")) {
      values.emplace_back(arg);
    } else if (arg.empty() && i + 1 < argc) {
      values.emplace_back(argv[++i]);
    }
  }
  return values;
}

absl::StatusOr<std::map<std::string, std::string>> ParseTunerParams(
    const std::vector<std::string>& flags) {
  std::map<std::string, std::string> params;
  for (const std::string& flag : flags) {
    for (absl::string_view item : absl::StrSplit(flag, ',', absl::SkipWhitespace())) {
      std::pair<absl::string_view, absl::string_view> kv =
          absl::StrSplit(item, absl::MaxSplits('=', 1));
      if (kv.first.empty() || !absl::StrContains(item, '=')) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--tuner_param='", item, "' is not of the form key=value, e.g. elite_num=3"));
      }
      if (!params.emplace(std::string(kv.first), std::string(kv.second)).second) {
        return absl::InvalidArgumentError(
            absl::StrCat("tuner parameter '", kv.first, "' is given twice"));
      }
    }
  }
  return params;
}

// The tuner's factory is what knows its parameters; asking it once, on a
// one-point space, reports an unknown tuner or a misspelt or out-of-range
// parameter before the model is imported and anything is measured.
absl::Status CheckTunerOptions(const std::string& tuner, const tuners::TunerOptions& options) {
  tuning::TuningTask probe;
  probe.name = "options";
  if (auto st = probe.space.DefineIntChoice("x", {1}); !st.ok()) return st;
  return tuners::CreateTuner(tuner, probe, options).status();
}

int Usage() {
  std::fprintf(stderr,
               "usage: kiln compile MODEL.onnx --output=model.so [--target=..] "
               "[--input_shapes=..] [--tuning_records=..]\n"
               "       kiln tune MODEL.onnx --output=records.json [--tuner=xgb] [--trials=N] "
               "[--target=..]\n"
               "       kiln run model.so|MODEL.onnx [--inputs=in.npz] [--outputs=out.npz] "
               "[--print_time]\n"
               "       kiln list tuners|targets\n"
               "       kiln --plugin=libmy_tuner.so ... (loads tuners or targets first)\n"
               "(kiln --help lists the flags; --helpfull also those of glog and gflags)\n");
  return 2;
}

// An .npz by name, or an .npy for the model's only input.
absl::StatusOr<frontend::InputValues> ReadInputValues(const std::string& path,
                                                      const std::string& model) {
  frontend::InputValues values;
  if (absl::EndsWith(path, ".npy")) {
    auto inputs = frontend::ReadOnnxInputs(model);
    if (!inputs.ok()) return inputs.status();
    if (inputs->size() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, " is a single .npy array but ", model, " has ", inputs->size(),
          " inputs: give an .npz with one array per input name"));
    }
    auto array = runtime::ReadNpyFile(path);
    if (!array.ok()) return array.status();
    values.emplace((*inputs)[0].name, *std::move(array));
    return values;
  }
  auto arrays = runtime::ReadNpzFile(path);
  if (!arrays.ok()) return arrays.status();
  for (auto& [name, array] : *arrays) values.emplace(name, std::move(array));
  return values;
}

// Imports `model` with --input_shapes, and the values of `values_path`
// offered for inputs kiln needs constant.
absl::StatusOr<graph::Graph> Load(const std::string& model, const std::string& values_path) {
  frontend::InputValues values;
  if (!values_path.empty()) {
    auto read = ReadInputValues(values_path, model);
    if (!read.ok()) return read.status();
    values = *std::move(read);
  }
  auto shapes = ParseInputShapes(FLAGS_input_shapes);
  if (!shapes.ok()) {
    // The fitting example names this model's inputs with their ranks.
    const std::string example = ExampleInputShapes(model);
    if (example.empty()) return shapes.status();
    return absl::InvalidArgumentError(absl::StrCat(
        shapes.status().message(), "; for ", model, ", e.g. --input_shapes=\"", example, "\""));
  }
  return frontend::ImportOnnxFile(
      model, *shapes, values,
      FLAGS_memory_budget > 0 ? FLAGS_memory_budget : frontend::MachineMemoryBytes());
}

int Compile(const std::string& model) {
  if (FLAGS_output.empty()) return Fail(absl::InvalidArgumentError("--output is required"));
  // Before the work of compiling, which a wrong folder would waste.
  if (auto st = codegen::CheckArtifactPath(FLAGS_output); !st.ok()) return Fail(st);
  auto g = Load(model, FLAGS_input_values);
  if (!g.ok()) return Fail(g.status());
  CompileModelOptions options;
  options.target = FLAGS_target;
  options.tuning_records = FLAGS_tuning_records;
  auto compiled = CompileModel(*std::move(g), options);
  if (!compiled.ok()) return Fail(compiled.status());
  if (!compiled->records_summary.empty()) std::printf("%s\n", compiled->records_summary.c_str());
  if (auto st = codegen::WriteArtifact(compiled->compiled, compiled->target, FLAGS_output);
      !st.ok()) {
    return Fail(st);
  }
  std::printf("Compiled %s for \"%s\": %zu kernels, %.2f MB of intermediates planned into "
              "%.2f MB, %.2f MB of parameters -> %s\n",
              model.c_str(), compiled->target.ToString().c_str(),
              compiled->compiled.kernels.size(), compiled->compiled.unplanned_bytes / 1e6,
              compiled->compiled.plan.arena_bytes / 1e6,
              compiled->compiled.plan.constants.size() / 1e6, FLAGS_output.c_str());
  return 0;
}

int Tune(const std::string& model, const std::vector<std::string>& tuner_param_flags) {
  if (FLAGS_output.empty()) return Fail(absl::InvalidArgumentError("--output is required"));
  auto tuner_params = ParseTunerParams(tuner_param_flags);
  if (!tuner_params.ok()) return Fail(tuner_params.status());
  if (FLAGS_population_size < 0) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        "--population_size must be 0 (the tuner's default) or positive, got ",
        FLAGS_population_size)));
  }
  tuners::TunerOptions tuner_options;
  tuner_options.params = *tuner_params;
  tuner_options.population_size = FLAGS_population_size;
  if (auto st = CheckTunerOptions(FLAGS_tuner, tuner_options); !st.ok()) return Fail(st);
  if (FLAGS_broker.empty() != FLAGS_device_key.empty()) {
    return Fail(absl::InvalidArgumentError(
        "--broker and --device_key go together: the broker's workers of that device key "
        "measure (e.g. --broker=redis://10.0.0.1:6379 --device_key=zen5)"));
  }
  auto target = targets::ParseTarget(FLAGS_target);
  if (!target.ok()) return Fail(target.status());
  if (auto st = targets::CheckHostCanRun(*target); !st.ok()) return Fail(st);
  auto g = Load(model, FLAGS_input_values);
  if (!g.ok()) return Fail(g.status());
  TuneModelOptions options;
  options.tuner = FLAGS_tuner;
  options.tuner_params = *std::move(tuner_params);
  options.population_size = FLAGS_population_size;
  options.trials = FLAGS_trials;
  options.early_stopping = FLAGS_early_stopping;
  options.in_model_rounds = FLAGS_in_model_rounds;
  options.seed = FLAGS_seed;
  options.records = FLAGS_output;
  options.prior = FLAGS_tuning_records;
  options.max_tasks = FLAGS_max_tasks;
  options.measure.number = FLAGS_number > 0 ? FLAGS_number : 1;
  options.measure.repeat = FLAGS_repeat > 0 ? FLAGS_repeat : 3;
  options.measure.min_repeat_ms = FLAGS_min_repeat_ms;
  options.measure.timeout_s = FLAGS_timeout;
  options.measure.enable_cpu_cache_flush = FLAGS_enable_cpu_cache_flush;
  options.measure.n_parallel = FLAGS_parallel_builds;
  options.remote.broker = FLAGS_broker;
  options.remote.device_key = FLAGS_device_key;
  options.remote.worker_timeout_s = FLAGS_worker_timeout;
  auto reports = TuneModel(*g, *target, options);
  if (!reports.ok()) return Fail(reports.status());
  std::printf("\n%-4s %-70s %5s %10s %10s\n", "task", "workload", "uses", "default", "tuned");
  for (size_t k = 0; k < reports->size(); ++k) {
    const TaskReport& r = (*reports)[k];
    std::printf("%-4zu %-70s %5d %7.1f GF %7.1f GF\n", k + 1, r.workload.c_str(), r.occurrences,
                r.default_gflops, r.best_gflops);
  }
  std::printf("Records: %s\n", FLAGS_output.c_str());
  return 0;
}

// An ONNX file is compiled in this process first (JIT), for the shapes and
// the values of inputs kiln needs constant that --inputs gives.
absl::Status RunModelFile(const std::string& model, const RunOptions& options) {
  if (auto st = SetNumThreads(options.num_threads, stderr); !st.ok()) return st;
  auto g = Load(model, FLAGS_input_values.empty() ? options.inputs : FLAGS_input_values);
  if (!g.ok()) return g.status();
  CompileModelOptions compile;
  compile.target = FLAGS_target;
  compile.tuning_records = FLAGS_tuning_records;
  auto compiled = CompileModel(*std::move(g), compile);
  if (!compiled.ok()) return compiled.status();
  auto jit = codegen::BuildJitModel(compiled->compiled, compiled->target);
  if (!jit.ok()) return jit.status();
  return RunExecutor(*jit->executor, options, stdout);
}

int Run(const std::string& artifact_or_model) {
  RunOptions options;
  options.inputs = FLAGS_inputs;
  options.outputs = FLAGS_outputs;
  options.print_time = FLAGS_print_time;
  options.profile = FLAGS_profile;
  options.repeat = FLAGS_repeat > 0 ? FLAGS_repeat : 1;
  options.number = FLAGS_number > 0 ? FLAGS_number : 1;
  options.num_threads = FLAGS_num_threads;
  options.seed = FLAGS_seed;
  const absl::Status st = absl::EndsWith(artifact_or_model, ".onnx")
                              ? RunModelFile(artifact_or_model, options)
                              : RunArtifact(artifact_or_model, options, stdout);
  return st.ok() ? 0 : Fail(st);
}

template <typename Entry>
void PrintRegistry(const Registry<Entry>& registry) {
  for (const std::string& name : registry.Names()) {
    std::printf("  %-26s %s\n", name.c_str(), registry.Description(name).c_str());
  }
}

int List(const std::string& what) {
  if (what == "tuners") {
    PrintRegistry(tuners::TunerRegistry());
  } else if (what == "targets") {
    std::printf("target kinds:\n");
    PrintRegistry(targets::TargetKindRegistry());
    std::printf("CPUs (-mcpu=...):\n");
    PrintRegistry(targets::CpuPresetRegistry());
  } else {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("cannot list '", what, "': say `kiln list tuners` or `kiln list targets`")));
  }
  return 0;
}

int Main(int argc, char** argv) {
  gflags::SetUsageMessage("kiln compile|tune|run|list ... (see docs in README.md)");
  const std::vector<std::string> plugins = RepeatedFlagValues(argc, argv, "plugin");
  const std::vector<std::string> tuner_params = RepeatedFlagValues(argc, argv, "tuner_param");
  if (InitCommandLine(&argc, &argv, "driver/kiln_main.cc")) return 0;
  // Before the registries are checked and before any flag naming a tuner or
  // target is looked up.
  for (const std::string& plugin : plugins) {
    if (auto st = LoadPlugin(plugin); !st.ok()) return Fail(st);
  }
  for (const absl::Status& st : {tuners::TunerRegistry().status(),
                                 targets::TargetKindRegistry().status(),
                                 targets::CpuPresetRegistry().status(),
                                 frontend::OnnxConverters().status()}) {
    if (!st.ok()) return Fail(st);
  }
  if (argc != 3) return Usage();
  const std::string command = argv[1], operand = argv[2];
  if (command != "run") {
    if (auto st = SetNumThreads(FLAGS_num_threads, stderr); !st.ok()) return Fail(st);
  }
  if (command == "compile") return Compile(operand);
  if (command == "tune") return Tune(operand, tuner_params);
  if (command == "run") return Run(operand);
  if (command == "list") return List(operand);
  std::fprintf(stderr, "kiln: unknown command '%s'\n", command.c_str());
  return Usage();
}

}  // namespace
}  // namespace kiln::driver

int main(int argc, char** argv) { return kiln::driver::Main(argc, argv); }

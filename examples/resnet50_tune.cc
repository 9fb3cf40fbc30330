// TVM's "Compiling and Optimizing a Model with the Python Interface
// (AutoTVM)" tutorial, step for step, with kiln in C++:
//
//   bazel run //examples:resnet50_tune [-- --trials=20 --tuner=xgb --model=resnet50-v2-7.onnx]
//
// 1. load ResNet-50 v2 (the model zoo's file when available, else kiln's
//    generated copy of its topology), 2. load and preprocess the cat photo,
// 3. compile untuned and run it: timing and top-5 classes, 4. extract the
// tuning tasks and tune them (progress bar, records file, resumable),
// 5. recompile with the records, check the output and compare timings.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "codegen/graph_compiler.h"
#include "driver/compile_model.h"
#include "driver/run_model.h"
#include "driver/tune_model.h"
#include "examples/imagenet_image.h"
#include "frontend/onnx_importer.h"
#include "frontend/resnet50_v2_generator.h"
#include "gflags/gflags.h"
#include "glog/logging.h"
#include "targets/target_parser.h"
#include "tuners/tuner.h"

DEFINE_string(model, "", "ONNX file of ResNet-50 v2 (default: cached, downloaded or generated)");
DEFINE_string(image, "examples/data/chelsea.png", "image to classify");
DEFINE_string(synset, "", "class names, one per line (default: synset.txt in the cache)");
DEFINE_string(target, "llvm -mcpu=native", "target to compile for");
DEFINE_string(tuner, "xgb", "search strategy (`kiln list tuners`)");
DEFINE_int32(trials, 20, "measurements per task, as in the tutorial");
DEFINE_int32(early_stopping, 0, "stop a task after this many trials without a new best");
DEFINE_int32(tasks, 0, "tune only the first N tasks (0: all)");
DEFINE_string(records, "", "tuning records (default: in the cache; a rerun resumes from it)");
DEFINE_string(cache_dir, "", "where models and records are kept (default ~/.cache/kiln)");
DEFINE_bool(download, true, "try to download resnet50-v2-7.onnx when it is not cached");
DEFINE_int32(repeat, 10, "timing: samples");
DEFINE_int32(number, 10, "timing: runs per sample");
DEFINE_uint64(seed, 0, "seed of the search");

namespace kiln::examples {
namespace {

constexpr char kModelUrl[] =
    "https://github.com/onnx/models/raw/main/validated/vision/classification/resnet/model/"
    "resnet50-v2-7.onnx";

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "error: %s\n", std::string(status.message()).c_str());
  return 1;
}

// `bazel run` starts in the runfiles tree; paths the user typed are
// relative to where they ran it.
std::string UserPath(const std::string& path) {
  const char* cwd = std::getenv("BUILD_WORKING_DIRECTORY");
  if (path.empty() || path[0] == '/' || !cwd) return path;
  const std::string in_cwd = absl::StrCat(cwd, "/", path);
  return std::filesystem::exists(in_cwd) ? in_cwd : path;
}

std::string CacheDir() {
  if (!FLAGS_cache_dir.empty()) return UserPath(FLAGS_cache_dir);
  const char* home = std::getenv("HOME");
  return absl::StrCat(home ? home : "/tmp", "/.cache/kiln");
}

// The model file and whether it is the real one (with trained weights).
absl::StatusOr<std::pair<std::string, bool>> FindModel(const std::string& cache) {
  if (!FLAGS_model.empty()) return std::make_pair(UserPath(FLAGS_model), true);
  const std::string real = cache + "/resnet50-v2-7.onnx";
  if (std::filesystem::exists(real)) return std::make_pair(real, true);
  if (FLAGS_download) {
    std::printf("Downloading %s (30 s timeout) ...\n", kModelUrl);
    const std::string part = real + ".part";
    const std::string command = absl::StrCat("curl -sfL --max-time 30 -o '", part, "' '",
                                             kModelUrl, "' 2>/dev/null");
    if (std::system(command.c_str()) == 0 && std::filesystem::file_size(part) > 90'000'000) {
      std::filesystem::rename(part, real);
      return std::make_pair(real, true);
    }
    std::filesystem::remove(part);
    std::printf("The download failed (no network?).\n");
  }
  const std::string generated = cache + "/resnet50-v2-generated.onnx";
  if (!std::filesystem::exists(generated)) {
    if (auto st = frontend::WriteResNet50V2(generated); !st.ok()) return st;
  }
  std::printf("Using kiln's generated ResNet-50 v2: the model zoo's topology with seeded random "
              "weights, so its predictions are meaningless (timings are not).\n");
  return std::make_pair(generated, false);
}

absl::StatusOr<driver::TimingStats> Time(runtime::GraphExecutor& ex) {
  return driver::TimeRuns([&] { return ex.Run(); }, FLAGS_repeat, FLAGS_number);
}

void PrintTop5(const runtime::GraphExecutor& ex, const std::vector<std::string>& names) {
  const runtime::NDArray logits = *ex.GetOutput(0);
  for (const auto& [cls, p] : TopK(logits.data<float>(), logits.NumElements(), 5)) {
    const std::string label =
        cls < static_cast<int>(names.size()) ? names[cls] : absl::StrCat("class ", cls);
    std::printf("  %-50s probability %.4f\n", label.c_str(), p);
  }
}

absl::StatusOr<codegen::JitModel> CompileAndLoad(const std::string& model_path,
                                                 const std::string& records,
                                                 const runtime::NDArray& image) {
  auto g = frontend::ImportOnnxFile(model_path, {{"data", {1, 3, 224, 224}}});
  if (!g.ok()) return g.status();
  driver::CompileModelOptions options;
  options.target = FLAGS_target;
  options.tuning_records = records;
  auto compiled = driver::CompileModel(*std::move(g), options);
  if (!compiled.ok()) return compiled.status();
  auto model = codegen::BuildJitModel(compiled->compiled, compiled->target);
  if (!model.ok()) return model.status();
  if (auto st = model->executor->SetInput("data", image); !st.ok()) return st;
  if (auto st = model->executor->Run(); !st.ok()) return st;
  return model;
}

int Main() {
  auto target = targets::ParseTarget(FLAGS_target);
  if (!target.ok()) return Fail(target.status());
  if (auto st = targets::CheckHostCanRun(*target); !st.ok()) return Fail(st);
  if (auto st = tuners::TunerRegistry().Find(FLAGS_tuner).status(); !st.ok()) return Fail(st);
  const std::string cache = CacheDir();
  std::filesystem::create_directories(cache);

  // 1. The model.
  auto found = FindModel(cache);
  if (!found.ok()) return Fail(found.status());
  const auto& [model_path, real_model] = *found;
  std::printf("Model: %s\nTarget: %s\n\n", model_path.c_str(), target->ToString().c_str());

  // 2. The image, preprocessed as in the tutorial.
  auto image = LoadImageNetInput(UserPath(FLAGS_image));
  if (!image.ok()) return Fail(image.status());
  std::vector<std::string> names;
  const std::string synset = FLAGS_synset.empty() ? cache + "/synset.txt" : UserPath(FLAGS_synset);
  if (auto loaded = ReadSynset(synset); loaded.ok()) names = *loaded;

  // 3. Compile with the default schedules and run.
  std::printf("Compiling the untuned model ...\n");
  auto untuned = CompileAndLoad(model_path, "", *image);
  if (!untuned.ok()) return Fail(untuned.status());
  std::printf("Top-5 (untuned)%s:\n", names.empty() ? ", class indices (no synset.txt)" : "");
  PrintTop5(*untuned->executor, names);
  auto untuned_stats = Time(*untuned->executor);
  if (!untuned_stats.ok()) return Fail(untuned_stats.status());
  std::printf("Unoptimized: %s\n", driver::FormatTimingStats(*untuned_stats).c_str());

  // 4. Extract the tasks and tune them; the records file is appended per
  // trial, so an interrupted run resumes where it stopped.
  auto g = frontend::ImportOnnxFile(model_path, {{"data", {1, 3, 224, 224}}});
  if (!g.ok()) return Fail(g.status());
  driver::TuneModelOptions tune;
  tune.tuner = FLAGS_tuner;
  tune.trials = FLAGS_trials;
  tune.early_stopping = FLAGS_early_stopping;
  tune.seed = FLAGS_seed;
  tune.max_tasks = FLAGS_tasks;
  tune.records = FLAGS_records.empty()
                     ? absl::StrCat(cache, "/resnet50-v2-", real_model ? "7" : "generated",
                                    "-records.json")
                     : UserPath(FLAGS_records);
  // Each sample one cold run: inside the model a layer's weights come from
  // memory, and timing it hot favours configs that only win from cache.
  tune.measure.number = 1;
  tune.measure.repeat = 3;
  tune.measure.enable_cpu_cache_flush = true;
  tune.measure.n_parallel = 2;
  std::printf("Tuning with %s, %d trials per task, records in %s\n", FLAGS_tuner.c_str(),
              FLAGS_trials, tune.records.c_str());
  const auto tune_start = std::chrono::steady_clock::now();
  auto reports = driver::TuneModel(*g, *target, tune);
  if (!reports.ok()) return Fail(reports.status());
  const double tune_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - tune_start).count();
  std::printf("Tuned %zu tasks in %.1f s.\n\n", reports->size(), tune_seconds);

  // 5. Recompile with the best records and compare.
  std::printf("Compiling the tuned model ...\n");
  auto tuned = CompileAndLoad(model_path, tune.records, *image);
  if (!tuned.ok()) return Fail(tuned.status());
  const runtime::NDArray a = *untuned->executor->GetOutput(0), b = *tuned->executor->GetOutput(0);
  double max_abs = 0, max_diff = 0;
  for (int64_t i = 0; i < a.NumElements(); ++i) {
    max_abs = std::max(max_abs, std::fabs(double{a.data<float>()[i]}));
    max_diff = std::max(max_diff, std::fabs(double{a.data<float>()[i]} - b.data<float>()[i]));
  }
  std::printf("Tuned output vs untuned: max |difference| %.3g (max |logit| %.3g): %s\n",
              max_diff, max_abs, max_diff <= 1e-4 * max_abs ? "match" : "MISMATCH");
  std::printf("Top-5 (tuned):\n");
  PrintTop5(*tuned->executor, names);
  // Timed again side by side, in alternating samples: the untuned timing
  // above was taken minutes earlier, when the machine may have been busier
  // or quieter.
  auto both = driver::TimeInterleaved([&] { return tuned->executor->Run(); },
                                      [&] { return untuned->executor->Run(); }, FLAGS_repeat,
                                      FLAGS_number);
  if (!both.ok()) return Fail(both.status());
  const auto& [tuned_stats, untuned_again] = *both;
  std::printf("Optimized: %s", driver::FormatTimingStats(tuned_stats).c_str());
  std::printf("Unoptimized: %s", driver::FormatTimingStats(untuned_again).c_str());
  std::printf("Speedup (median of %d interleaved samples each): %.2fx\n", FLAGS_repeat,
              untuned_again.median_ms / tuned_stats.median_ms);
  return max_diff <= 1e-4 * max_abs ? 0 : 1;
}

}  // namespace
}  // namespace kiln::examples

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;
  return kiln::examples::Main();
}

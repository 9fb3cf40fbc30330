// Writes one of kiln's generated models (seeded weights) to an ONNX file and
// prints its size and cost:
//   bazel run //frontend:generate_model -- --model=mobilenet_v2 --output=/tmp/m.onnx [--small]
// prints "wrote PATH: model NAME, N nodes, P parameters, G GFLOP".
#include <cstdio>
#include <string>

#include "absl/strings/str_join.h"
#include "frontend/model_builder.h"
#include "frontend/model_stats.h"
#include "frontend/model_zoo.h"
#include "gflags/gflags.h"

DEFINE_string(model, "", "which model to write");
DEFINE_string(output, "", "where to write it");
DEFINE_bool(small, false, "a small variant of the same structure, for quick tests");
DEFINE_uint64(seed, 1, "seed of the weights");

int main(int argc, char** argv) {
  gflags::SetUsageMessage("--model=" + absl::StrJoin(kiln::frontend::ZooModelNames(), "|") +
                          " --output=FILE.onnx [--small] [--seed=N]");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  if (FLAGS_model.empty() || FLAGS_output.empty()) {
    std::fprintf(stderr, "error: --model and --output are required; models: %s\n",
                 absl::StrJoin(kiln::frontend::ZooModelNames(), ", ").c_str());
    return 2;
  }
  auto bytes = kiln::frontend::GenerateZooModel(FLAGS_model, FLAGS_small, FLAGS_seed);
  absl::StatusOr<kiln::frontend::ModelStats> stats =
      bytes.ok() ? kiln::frontend::AnalyzeOnnxModel(*bytes) : bytes.status();
  if (!stats.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(stats.status().message()).c_str());
    return 1;
  }
  if (auto st = kiln::frontend::WriteModel(FLAGS_output, bytes); !st.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(st.message()).c_str());
    return 1;
  }
  std::printf("wrote %s: model %s, %lld nodes, %lld parameters, %.3f GFLOP\n",
              FLAGS_output.c_str(), FLAGS_model.c_str(), static_cast<long long>(stats->nodes),
              static_cast<long long>(stats->parameters), stats->flop * 1e-9);
  return 0;
}

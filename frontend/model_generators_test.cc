// Every generated model is a valid ONNX model at its published cost, and
// kiln runs its small variant on the reference interpreter and compiled,
// or rejects it with an Unimplemented error naming the operator it lacks.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "codegen/graph_compiler.h"
#include "frontend/audio_conv1d_generator.h"
#include "frontend/bert_generator.h"
#include "frontend/model_stats.h"
#include "frontend/model_zoo.h"
#include "frontend/onnx_importer.h"
#include "frontend/unet_generator.h"
#include "gtest/gtest.h"
#include "ir/graph/op_registry.h"
#include "ir/ops/testing/op_test_util.h"

namespace kiln::frontend {
namespace {

TEST(ModelGeneratorsTest, FullSizeModelsHaveThePublishedCost) {
  const struct {
    std::string model;
    double gflop;
  } published[] = {
      {"resnet50_v2", 8.18},  // 4.09 G multiply-adds
      {"mobilenet_v2", 0.60},  // 0.30 G multiply-adds (Sandler et al., Table 3)
      {"bert_base", 22.35},    // 12 x (4 h^2 + 2 h i) S + 12 x 2 S^2 h, S = 128, two flop each
      {"unet", 26.03},
      {"audio_conv1d", 4.90},
  };
  for (const auto& p : published) {
    auto bytes = GenerateZooModel(p.model);
    ASSERT_TRUE(bytes.ok()) << p.model << ": " << bytes.status();
    auto stats = AnalyzeOnnxModel(*bytes);
    ASSERT_TRUE(stats.ok()) << p.model << ": " << stats.status();
    EXPECT_NEAR(stats->flop * 1e-9, p.gflop, 0.01 * p.gflop) << p.model;
  }
}

TEST(ModelGeneratorsTest, UnknownModelListsTheGenerators) {
  auto bytes = GenerateZooModel("resnet18");
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(bytes.status().message().find("mobilenet_v2"), std::string::npos);
}

TEST(ModelGeneratorsTest, InvalidSizesAreRejected) {
  BertOptions bert;
  bert.heads = 5;
  EXPECT_EQ(GenerateBert(bert).status().code(), absl::StatusCode::kInvalidArgument);
  UNetOptions unet;
  unet.image_size = 100;
  EXPECT_EQ(GenerateUNet(unet).status().code(), absl::StatusCode::kInvalidArgument);
  AudioConv1dOptions audio;
  audio.samples = 300;
  EXPECT_EQ(GenerateAudioConv1d(audio).status().code(), absl::StatusCode::kInvalidArgument);
}

// What kiln lacks today for a model, as its error names it; models absent
// here must import, run and compile. A blocker that gets fixed only makes
// the model go the whole way.
const absl::flat_hash_map<std::string, std::string>& KnownBlockers() {
  static const auto* blockers = new absl::flat_hash_map<std::string, std::string>{};
  return *blockers;
}

void ExpectKnownBlocker(const std::string& model, const absl::Status& status) {
  ASSERT_EQ(status.code(), absl::StatusCode::kUnimplemented) << model << ": " << status;
  const auto blocker = KnownBlockers().find(model);
  ASSERT_NE(blocker, KnownBlockers().end()) << model << " was expected to run: " << status;
  EXPECT_NE(status.message().find(blocker->second), std::string::npos)
      << model << ": " << status << "\nexpected it to name: " << blocker->second;
}

double MaxAbs(const graph::NDArray& a) {
  double m = 0;
  for (int64_t i = 0; i < a.NumElements(); ++i) m = std::max<double>(m, std::fabs(a.data<float>()[i]));
  return m;
}

class SmallModelTest : public testing::TestWithParam<std::string> {};

TEST_P(SmallModelTest, ValidDeterministicAndRunByKiln) {
  const std::string model = GetParam();
  auto bytes = GenerateZooModel(model, /*small=*/true);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(*bytes, *GenerateZooModel(model, /*small=*/true));
  EXPECT_NE(*bytes, *GenerateZooModel(model, /*small=*/true, /*seed=*/2));
  auto stats = AnalyzeOnnxModel(*bytes);
  ASSERT_TRUE(stats.ok()) << stats.status();

  auto g = ImportOnnxBytes(*bytes);
  if (!g.ok()) return ExpectKnownBlocker(model, g.status());
  ASSERT_EQ(g->inputs().size(), 1u);
  const graph::TensorType& in_type = g->value(g->inputs()[0]).type;
  auto input = graph::NDArray::Empty(in_type.shape, runtime::DType::kFloat32);
  for (int64_t i = 0; i < input->NumElements(); ++i) input->data<float>()[i] = std::sin(0.01 * i);
  auto want = graph::Evaluate(*g, {{g->value(g->inputs()[0]).name, *input}});
  ASSERT_TRUE(want.ok()) << want.status();
  ASSERT_EQ(want->size(), 1u);
  for (int64_t i = 0; i < (*want)[0].NumElements(); ++i) {
    ASSERT_TRUE(std::isfinite((*want)[0].data<float>()[i])) << "output " << i;
  }
  // Seeded weights keep activations in range through the whole depth.
  const double scale = MaxAbs((*want)[0]);
  EXPECT_GT(scale, 1e-3);
  EXPECT_LT(scale, 1e4);

  const targets::Target target = ir::ops::testing::RunnableTargets()[0];
  auto compiled = codegen::CompileGraph(*g, target);
  if (!compiled.ok()) return ExpectKnownBlocker(model, compiled.status());
  auto jit = codegen::BuildJitModel(*compiled, target);
  ASSERT_TRUE(jit.ok()) << jit.status();
  ASSERT_TRUE(jit->executor->SetInput(0, *input).ok());
  ASSERT_TRUE(jit->executor->Run().ok());
  auto got = jit->executor->GetOutput(0);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->NumElements(), (*want)[0].NumElements());
  double max_diff = 0;
  for (int64_t i = 0; i < got->NumElements(); ++i) {
    max_diff = std::max<double>(
        max_diff, std::fabs(got->data<float>()[i] - (*want)[0].data<float>()[i]));
  }
  EXPECT_LE(max_diff, 1e-3 * scale) << model << ": compiled output differs from the reference";
}

INSTANTIATE_TEST_SUITE_P(Zoo, SmallModelTest, testing::ValuesIn(ZooModelNames()),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace kiln::frontend

#include "passes/pipeline.h"

#include <cmath>
#include <string>
#include <vector>

#include "frontend/onnx_importer.h"
#include "frontend/resnet50_v2_generator.h"
#include "gtest/gtest.h"
#include "ir/graph/op_registry.h"

namespace kiln::passes {
namespace {

int Count(const graph::Graph& g, const std::string& op) {
  int n = 0;
  for (const auto& node : g.nodes()) n += node.op == op;
  return n;
}

TEST(PipelineTest, ResNetKeepsItsOutputThroughEveryPass) {
  frontend::ResNetOptions small;
  small.image_size = 64;
  auto bytes = frontend::GenerateResNet50V2(small);
  ASSERT_TRUE(bytes.ok());
  auto g = frontend::ImportOnnxBytes(*bytes);
  ASSERT_TRUE(g.ok()) << g.status();
  auto data = graph::NDArray::Empty({1, 3, 64, 64}, runtime::DType::kFloat32);
  for (int64_t i = 0; i < data->NumElements(); ++i) data->data<float>()[i] = std::cos(0.003 * i);
  auto before = graph::Evaluate(*g, {{"data", *data}});
  ASSERT_TRUE(before.ok()) << before.status();
  const int bn_before = Count(*g, "batch_norm");

  std::vector<std::string> passes;
  PipelineOptions options;
  options.dump = [&](const std::string& pass, const graph::Graph&) { passes.push_back(pass); };
  ASSERT_TRUE(OptimizeGraph(*g, options).ok());
  EXPECT_EQ(passes, (std::vector<std::string>{"fold_batch_norm", "eliminate_dead_code",
                                              "infer_types"}));
  // The stem's and each unit's two inner BatchNorms follow a conv: 1 + 2 * 16.
  EXPECT_EQ(bn_before - Count(*g, "batch_norm"), 33);

  auto after = graph::Evaluate(*g, {{"data", *data}});
  ASSERT_TRUE(after.ok()) << after.status();
  double max_abs = 0, max_diff = 0;
  for (int64_t i = 0; i < (*before)[0].NumElements(); ++i) {
    const double b = (*before)[0].data<float>()[i], a = (*after)[0].data<float>()[i];
    max_abs = std::max(max_abs, std::fabs(b));
    max_diff = std::max(max_diff, std::fabs(a - b));
  }
  EXPECT_LE(max_diff, 1e-4 * max_abs);
}

}  // namespace
}  // namespace kiln::passes

// NonMaxSuppression folds to its selection when boxes and scores are known
// at compile time; the ONNX suite's nine cases check its rules, these the
// encodings, the thresholds' edges and the error for values unknown there.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "frontend/onnx_importer.h"
#include "gtest/gtest.h"
#include "ir/graph/op_registry.h"
#include "onnx/onnx_pb.h"

namespace kiln::frontend {
namespace {

using graph::NDArray;

NDArray Floats(std::vector<int64_t> shape, const std::vector<float>& v) {
  NDArray a = *NDArray::Empty(std::move(shape), runtime::DType::kFloat32);
  std::copy(v.begin(), v.end(), a.data<float>());
  return a;
}

// NonMaxSuppression over graph inputs boxes [1, n, 4] and scores [1, 2, n].
std::string Model(int64_t n, int64_t center_point_box, int64_t max_per_class, float iou,
                  float score) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(11);
  onnx::GraphProto* g = model.mutable_graph();
  g->set_name("nms");
  for (const auto& [name, shape] : std::vector<std::pair<std::string, std::vector<int64_t>>>{
           {"boxes", {1, n, 4}}, {"scores", {1, 2, n}}}) {
    onnx::ValueInfoProto* in = g->add_input();
    in->set_name(name);
    auto* tt = in->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : shape) tt->mutable_shape()->add_dim()->set_dim_value(d);
  }
  onnx::TensorProto* limit = g->add_initializer();
  limit->set_name("limit");
  limit->set_data_type(onnx::TensorProto::INT64);
  limit->add_int64_data(max_per_class);
  for (const auto& [name, v] : std::vector<std::pair<std::string, float>>{{"iou", iou},
                                                                          {"score", score}}) {
    onnx::TensorProto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_float_data(v);
  }
  onnx::NodeProto* node = g->add_node();
  node->set_op_type("NonMaxSuppression");
  for (const char* in : {"boxes", "scores", "limit", "iou", "score"}) node->add_input(in);
  node->add_output("selected");
  onnx::AttributeProto* a = node->add_attribute();
  a->set_name("center_point_box");
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(center_point_box);
  g->add_output()->set_name("selected");
  return model.SerializeAsString();
}

std::vector<int64_t> Select(const std::string& bytes, const NDArray& boxes, const NDArray& scores) {
  const InputValues values = {{"boxes", boxes}, {"scores", scores}};
  auto g = ImportOnnxBytes(bytes, {}, ".", values);
  EXPECT_TRUE(g.ok()) << g.status();
  if (!g.ok()) return {};
  auto out = graph::Evaluate(*g, {{"boxes", boxes}, {"scores", scores}});
  EXPECT_TRUE(out.ok()) << out.status();
  if (!out.ok() || out->size() != 1) return {};
  const NDArray& s = (*out)[0];
  EXPECT_EQ(s.shape().size(), 2u);
  return std::vector<int64_t>(s.data<int64_t>(), s.data<int64_t>() + s.NumElements());
}

TEST(NonMaxSuppressionTest, BothBoxEncodingsSelectTheSameBoxes) {
  const int64_t n = 40;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> coord(0.0f, 10.0f), size(0.5f, 4.0f), p(0.0f, 1.0f);
  std::vector<float> corners, centers, scores(2 * n);
  for (int64_t i = 0; i < n; ++i) {
    const float y = coord(rng), x = coord(rng), h = size(rng), w = size(rng);
    // Diagonals in both directions: corners need not come min first.
    if (i % 2) {
      corners.insert(corners.end(), {y + h, x + w, y, x});
    } else {
      corners.insert(corners.end(), {y, x, y + h, x + w});
    }
    centers.insert(centers.end(), {x + w / 2, y + h / 2, w, h});
  }
  for (float& s : scores) s = p(rng);
  scores[3] = scores[5];  // a tie: the lower index goes first
  const NDArray score_array = Floats({1, 2, n}, scores);
  const auto by_corners = Select(Model(n, 0, 7, 0.3f, 0.2f), Floats({1, n, 4}, corners),
                                 score_array);
  const auto by_centers = Select(Model(n, 1, 7, 0.3f, 0.2f), Floats({1, n, 4}, centers),
                                 score_array);
  EXPECT_EQ(by_corners, by_centers);
  ASSERT_FALSE(by_corners.empty());
  // Per class at most 7, scores descending, all above the threshold.
  for (int64_t k = 0; k < 2; ++k) {
    int count = 0;
    float last = 2.0f;
    for (size_t r = 0; r < by_corners.size(); r += 3) {
      if (by_corners[r + 1] != k) continue;
      const float s = scores[k * n + by_corners[r + 2]];
      EXPECT_GT(s, 0.2f);
      EXPECT_LE(s, last);
      last = s;
      ++count;
    }
    EXPECT_LE(count, 7);
  }
}

TEST(NonMaxSuppressionTest, LimitZeroSelectsNothingAndThresholdOneKeepsAllAboveTheScore) {
  const std::vector<float> boxes = {0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0.5f, 0.5f};
  const NDArray b = Floats({1, 3, 4}, boxes);
  const NDArray s = Floats({1, 2, 3}, {0.9f, 0.8f, 0.7f, 0.1f, 0.5f, 0.5f});
  EXPECT_TRUE(Select(Model(3, 0, 0, 0.5f, 0.0f), b, s).empty());
  // IoU never exceeds 1: nothing is suppressed; a score equal to the
  // threshold is not above it.
  EXPECT_EQ(Select(Model(3, 0, 10, 1.0f, 0.5f), b, s),
            (std::vector<int64_t>{0, 0, 0, 0, 0, 1, 0, 0, 2}));
  // Identical boxes suppress each other at any threshold below 1.
  EXPECT_EQ(Select(Model(3, 0, 10, 0.99f, 0.0f), b, s),
            (std::vector<int64_t>{0, 0, 0, 0, 0, 2, 0, 1, 1, 0, 1, 2}));
}

TEST(NonMaxSuppressionTest, BoxesKnownOnlyAtRunTimeAreRefusedWithTheFlagThatBindsThem) {
  auto g = ImportOnnxBytes(Model(3, 0, 10, 0.5f, 0.0f));
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kUnimplemented) << g.status();
  EXPECT_NE(g.status().message().find("--input_values"), std::string::npos) << g.status();
  EXPECT_NE(g.status().message().find("NonMaxSuppression"), std::string::npos) << g.status();
}

}  // namespace
}  // namespace kiln::frontend

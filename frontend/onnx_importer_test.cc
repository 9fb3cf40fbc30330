#include "frontend/onnx_importer.h"

#include <fstream>
#include <random>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/graph/op_registry.h"

namespace kiln::frontend {
namespace {

using ::testing::HasSubstr;

constexpr char kRelu[] = "/usr/share/libonnx-testdata/data/node/test_relu/model.onnx";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(OnnxImporterTest, ImportsAModelWithShapes) {
  auto g = ImportOnnxFile(kRelu);
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(g->nodes().size(), 1u);
  EXPECT_EQ(g->nodes()[0].op, "relu");
  EXPECT_THAT(g->ToString(), HasSubstr("= relu(%x)"));
}

TEST(OnnxImporterTest, TruncatedAndGarbageFilesAreClearErrors) {
  const std::string bytes = ReadFile(kRelu);
  ASSERT_FALSE(bytes.empty());
  for (size_t cut : {size_t{1}, bytes.size() / 3, bytes.size() / 2, bytes.size() - 3}) {
    auto g = ImportOnnxBytes(bytes.substr(0, cut));
    EXPECT_FALSE(g.ok()) << "cut at " << cut;
  }
  std::mt19937 rng(1);
  for (int trial = 0; trial < 50; ++trial) {
    std::string junk(64 + rng() % 512, '\0');
    for (char& ch : junk) ch = static_cast<char>(rng());
    auto g = ImportOnnxBytes(junk);  // must not crash; usually an error
    if (!g.ok()) {
      EXPECT_FALSE(g.status().message().empty());
    }
  }
  EXPECT_THAT(ImportOnnxFile("/nonexistent/model.onnx").status().message(),
              HasSubstr("cannot open model"));
}

TEST(OnnxImporterTest, InputShapesMustNameRealInputs) {
  auto g = ImportOnnxFile(kRelu, {{"data", {1, 2}}});
  ASSERT_FALSE(g.ok());
  EXPECT_THAT(g.status().message(), HasSubstr("no input 'data'; its inputs are: x"));
  auto wrong_rank = ImportOnnxFile(kRelu, {{"x", {60}}});
  EXPECT_THAT(wrong_rank.status().message(), HasSubstr("has rank 3"));
}

TEST(OnnxImporterTest, UnsupportedOperatorsNameTheNodeAndOpset) {
  auto g = ImportOnnxFile(
      "/usr/share/libonnx-testdata/data/node/test_bernoulli/model.onnx");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(g.status().message(), HasSubstr("Bernoulli"));
  EXPECT_THAT(g.status().message(), HasSubstr("opset"));
  // The test's node has no name: it is named by its output.
  EXPECT_THAT(g.status().message(), HasSubstr("Bernoulli node (output 'y'"));
  EXPECT_THAT(g.status().message(), ::testing::Not(HasSubstr("node ''")));
}

TEST(OnnxImporterTest, GivenShapesMustKeepTheDimensionsTheModelFixes) {
  auto g = ImportOnnxFile(kRelu, {{"x", {3, 4, 6}}});
  ASSERT_FALSE(g.ok());
  EXPECT_THAT(g.status().message(),
              HasSubstr("input 'x' is declared [3,4,5] by the model; the given shape [3, 4, 6] "
                        "differs in dimension 2 (6 instead of 5)"));
  EXPECT_TRUE(ImportOnnxFile(kRelu, {{"x", {3, 4, 5}}}).ok());
  auto inputs = ReadOnnxInputs(kRelu);
  ASSERT_TRUE(inputs.ok()) << inputs.status();
  ASSERT_EQ(inputs->size(), 1u);
  EXPECT_EQ((*inputs)[0].name, "x");
  EXPECT_EQ((*inputs)[0].declared_shape, "[3,4,5]");
  EXPECT_EQ((*inputs)[0].example_shape, "[3,4,5]");
}

}  // namespace
}  // namespace kiln::frontend

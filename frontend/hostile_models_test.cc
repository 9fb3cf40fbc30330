// Models written to hurt: each is refused with a clear error before it
// costs memory or time, or, for the very large graph, compiles in time
// linear in its size without overflowing the stack.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "codegen/graph_compiler.h"
#include "frontend/onnx_importer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "onnx/onnx_pb.h"
#include "passes/pipeline.h"
#include "targets/target_parser.h"

namespace kiln::frontend {
namespace {

using ::testing::HasSubstr;

// A float32 model with input x of `dims` and output y, built node by node.
class Model {
 public:
  explicit Model(const std::vector<int64_t>& dims) {
    model_.set_ir_version(8);
    model_.add_opset_import()->set_version(13);
    Declare(model_.mutable_graph()->add_input(), "x", dims);
  }
  void Output(const std::string& name) {
    Declare(model_.mutable_graph()->add_output(), name, {});
  }
  onnx::NodeProto* Node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::string& output) {
    onnx::NodeProto* n = model_.mutable_graph()->add_node();
    n->set_op_type(op);
    for (const auto& in : inputs) n->add_input(in);
    n->add_output(output);
    return n;
  }
  onnx::TensorProto* Initializer(const std::string& name, const std::vector<int64_t>& dims,
                                 onnx::TensorProto::DataType type) {
    onnx::TensorProto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    for (int64_t d : dims) t->add_dims(d);
    return t;
  }
  void Int64s(const std::string& name, const std::vector<int64_t>& values) {
    onnx::TensorProto* t = Initializer(name, {static_cast<int64_t>(values.size())},
                                       onnx::TensorProto::INT64);
    for (int64_t v : values) t->add_int64_data(v);
  }
  std::string Bytes() const { return model_.SerializeAsString(); }

 private:
  static void Declare(onnx::ValueInfoProto* info, const std::string& name,
                      const std::vector<int64_t>& dims) {
    info->set_name(name);
    auto* tensor = info->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(onnx::TensorProto::FLOAT);
    if (dims.empty()) return;
    auto* shape = tensor->mutable_shape();
    for (int64_t d : dims) shape->add_dim()->set_dim_value(d);
  }

  onnx::ModelProto model_;
};

void ExpectRefused(const absl::StatusOr<graph::Graph>& g, const std::string& why) {
  ASSERT_FALSE(g.ok()) << "imported a model that should be refused for: " << why;
  EXPECT_THAT(std::string(g.status().message()), HasSubstr(why));
}

TEST(HostileModelsTest, DeclaredInputsOverTheBudgetAreRefused) {
  Model huge({1 << 20, 1 << 20, 1 << 20});
  huge.Node("Relu", {"x"}, "y");
  huge.Output("y");
  ExpectRefused(ImportOnnxBytes(huge.Bytes()), "over the memory budget");
  // Overflowing 64 bits is refused too, not wrapped around.
  Model overflowing({int64_t{1} << 40, int64_t{1} << 40});
  overflowing.Node("Relu", {"x"}, "y");
  overflowing.Output("y");
  ExpectRefused(ImportOnnxBytes(overflowing.Bytes()), "more than 2^63 bytes");
  // The budget is a parameter (kiln's --memory_budget).
  Model small({256, 256});
  small.Node("Relu", {"x"}, "y");
  small.Output("y");
  EXPECT_TRUE(ImportOnnxBytes(small.Bytes()).ok());
  ExpectRefused(ImportOnnxBytes(small.Bytes(), {}, ".", {}, /*memory_budget=*/100000),
                "input 'x' of shape [256, 256] (float32) would take 262144 bytes, over the "
                "memory budget of 100000 bytes");
}

TEST(HostileModelsTest, InitializersOverTheBudgetOrDisagreeingWithTheirDataAreRefused) {
  Model model({2});
  // 4 GiB declared, 4 bytes given: refused before the 4 GiB are allocated.
  model.Initializer("w", {int64_t{1} << 30}, onnx::TensorProto::FLOAT)->set_raw_data("abcd");
  model.Node("Add", {"x", "w"}, "y");
  model.Output("y");
  ExpectRefused(ImportOnnxBytes(model.Bytes()), "holds 4 bytes; its shape [1073741824] needs");
  ExpectRefused(ImportOnnxBytes(model.Bytes(), {}, ".", {}, 1 << 20), "over the memory budget");

  Model few_values({2});
  few_values.Initializer("w", {3}, onnx::TensorProto::FLOAT)->add_float_data(1);
  few_values.Node("Add", {"x", "w"}, "y");
  few_values.Output("y");
  ExpectRefused(ImportOnnxBytes(few_values.Bytes()), "holds 1 values; its shape needs 3");
}

// Shapes computed by the model: refused at the node whose output is too big,
// whether the importer folds it (constant inputs) or not, before anything
// of that size is allocated. 2^30 elements pass the importer's fixed limits
// but not a 1 GiB budget; 2^66 pass neither.
TEST(HostileModelsTest, AbsurdReshapeExpandConstantOfShapeAndTileAreRefused) {
  constexpr int64_t kGiB = int64_t{1} << 30;
  for (const int64_t big : {int64_t{1} << 15, int64_t{1} << 33}) {
    const auto expect_refused = [big](const Model& model) {
      if (big > (int64_t{1} << 20)) {
        EXPECT_FALSE(ImportOnnxBytes(model.Bytes()).ok());
      } else {
        ExpectRefused(ImportOnnxBytes(model.Bytes(), {}, ".", {}, kGiB), "over the memory budget");
      }
    };
    SCOPED_TRACE(big);
    Model expand({1});
    expand.Int64s("shape", {big, big});
    expand.Node("Expand", {"x", "shape"}, "y");
    expand.Output("y");
    expect_refused(expand);

    Model folded_expand({1});
    folded_expand.Int64s("one", {1});
    folded_expand.Int64s("shape", {big, big});
    folded_expand.Node("Expand", {"one", "shape"}, "e");
    folded_expand.Output("e");
    expect_refused(folded_expand);

    Model tile({1, 1});
    tile.Int64s("repeats", {big, big});
    tile.Node("Tile", {"x", "repeats"}, "y");
    tile.Output("y");
    expect_refused(tile);
  }
  Model constant_of_shape({2});
  constant_of_shape.Int64s("shape", {int64_t{1} << 15, int64_t{1} << 15});
  constant_of_shape.Node("ConstantOfShape", {"shape"}, "c");
  constant_of_shape.Node("Add", {"x", "c"}, "y");
  constant_of_shape.Output("y");
  ExpectRefused(ImportOnnxBytes(constant_of_shape.Bytes()), "is too large");
  // A Reshape keeps the element count; a hostile target shape can only
  // disagree with it.
  Model reshape({4});
  reshape.Int64s("shape", {int64_t{1} << 40, int64_t{1} << 40});
  reshape.Node("Reshape", {"x", "shape"}, "y");
  reshape.Output("y");
  EXPECT_FALSE(ImportOnnxBytes(reshape.Bytes()).ok());
  // OneHot's depth sizes its output.
  Model one_hot({4});
  one_hot.Int64s("depth", {int64_t{1} << 40});
  onnx::TensorProto* values = one_hot.Initializer("values", {2}, onnx::TensorProto::FLOAT);
  values->add_float_data(0);
  values->add_float_data(1);
  one_hot.Node("OneHot", {"x", "depth", "values"}, "y");
  one_hot.Output("y");
  ExpectRefused(ImportOnnxBytes(one_hot.Bytes()), "over the memory budget");
}

// Operators whose output size comes from attributes or constants are
// refused before their converters allocate anything for them.
TEST(HostileModelsTest, OutputsSizedByAttributesAreRefused) {
  auto set_int = [](onnx::NodeProto* n, const char* name, int64_t v) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  };
  auto set_ints = [](onnx::NodeProto* n, const char* name, const std::vector<int64_t>& v) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t e : v) a->add_ints(e);
  };
  // TfIdfVectorizer: one n-gram routed to column 2^40.
  Model tfidf({5});
  onnx::NodeProto* cast = tfidf.Node("Cast", {"x"}, "tokens");
  set_int(cast, "to", onnx::TensorProto::INT64);
  onnx::NodeProto* vectorizer = tfidf.Node("TfIdfVectorizer", {"tokens"}, "y");
  onnx::AttributeProto* mode = vectorizer->add_attribute();
  mode->set_name("mode");
  mode->set_type(onnx::AttributeProto::STRING);
  mode->set_s("TF");
  set_int(vectorizer, "min_gram_length", 1);
  set_int(vectorizer, "max_gram_length", 1);
  set_int(vectorizer, "max_skip_count", 0);
  set_ints(vectorizer, "ngram_counts", {0});
  set_ints(vectorizer, "ngram_indexes", {int64_t{1} << 40});
  set_ints(vectorizer, "pool_int64s", {3});
  tfidf.Output("y");
  ExpectRefused(ImportOnnxBytes(tfidf.Bytes()), "over the memory budget");

  // RoiAlign: bins of 2^30 rows.
  Model roi({1, 1, 4, 4});
  onnx::TensorProto* boxes = roi.Initializer("rois", {1, 4}, onnx::TensorProto::FLOAT);
  for (float v : {0.0f, 0.0f, 2.0f, 2.0f}) boxes->add_float_data(v);
  roi.Int64s("batch", {0});
  onnx::NodeProto* align = roi.Node("RoiAlign", {"x", "rois", "batch"}, "y");
  set_int(align, "output_height", int64_t{1} << 30);
  set_int(align, "sampling_ratio", 2);
  roi.Output("y");
  ExpectRefused(ImportOnnxBytes(roi.Bytes()), "over the memory budget");
  // Adaptive sampling over a region of infinite extent.
  Model endless({1, 1, 4, 4});
  onnx::TensorProto* far = endless.Initializer("rois", {1, 4}, onnx::TensorProto::FLOAT);
  for (float v : {0.0f, 0.0f, 2.0f, std::numeric_limits<float>::infinity()}) {
    far->add_float_data(v);
  }
  endless.Int64s("batch", {0});
  endless.Node("RoiAlign", {"x", "rois", "batch"}, "y");
  endless.Output("y");
  ExpectRefused(ImportOnnxBytes(endless.Bytes()), "samples per bin");

  // MelWeightMatrix: 2^40 mel bins.
  Model mel({1});
  for (const auto& [name, v] : std::vector<std::pair<std::string, int64_t>>{
           {"bins", int64_t{1} << 40}, {"dft", 512}, {"rate", 16000}}) {
    onnx::TensorProto* t = mel.Initializer(name, {}, onnx::TensorProto::INT64);
    t->add_int64_data(v);
  }
  for (const auto& [name, v] : std::vector<std::pair<std::string, float>>{{"low", 0.0f},
                                                                          {"high", 8000.0f}}) {
    onnx::TensorProto* t = mel.Initializer(name, {}, onnx::TensorProto::FLOAT);
    t->add_float_data(v);
  }
  mel.Node("MelWeightMatrix", {"bins", "dft", "rate", "low", "high"}, "m");
  mel.Output("m");
  onnx::ModelProto opset17;
  ASSERT_TRUE(opset17.ParseFromString(mel.Bytes()));
  opset17.mutable_opset_import(0)->set_version(17);
  ExpectRefused(ImportOnnxBytes(opset17.SerializeAsString()), "folds matrices of at most");

  // LSTM: a hidden_size of 2^40 that its weights (hidden size 1) deny.
  Model lstm({1, 1, 2});
  for (const auto& [name, dims] : std::vector<std::pair<std::string, std::vector<int64_t>>>{
           {"w", {1, 4, 2}}, {"r", {1, 4, 1}}}) {
    onnx::TensorProto* t = lstm.Initializer(name, dims, onnx::TensorProto::FLOAT);
    for (int64_t i = 0; i < dims[1] * dims[2]; ++i) t->add_float_data(0.5f);
  }
  set_int(lstm.Node("LSTM", {"x", "w", "r"}, "y"), "hidden_size", int64_t{1} << 40);
  lstm.Output("y");
  ExpectRefused(ImportOnnxBytes(lstm.Bytes()), "hidden_size 1099511627776 but R of shape");

  // Gather and GatherElements with constant indices past the axis.
  for (const char* op : {"Gather", "GatherElements"}) {
    Model gather({4});
    gather.Int64s("indices", {1, 100});
    gather.Node(op, {"x", "indices"}, "y");
    gather.Output("y");
    ExpectRefused(ImportOnnxBytes(gather.Bytes()), "index 100 on an axis of size 4");
  }
}

TEST(HostileModelsTest, CyclesDuplicateAndMissingNamesAreRefused) {
  Model cycle({2});
  cycle.Node("Relu", {"b"}, "a");
  cycle.Node("Relu", {"a"}, "b");
  cycle.Output("b");
  ExpectRefused(ImportOnnxBytes(cycle.Bytes()), "input 'b' is not defined before it");

  Model self_loop({2});
  self_loop.Node("Add", {"x", "y"}, "y");
  self_loop.Output("y");
  ExpectRefused(ImportOnnxBytes(self_loop.Bytes()), "input 'y' is not defined before it");

  Model twice({2});
  twice.Node("Relu", {"x"}, "y");
  twice.Node("Neg", {"x"}, "y");
  twice.Output("y");
  ExpectRefused(ImportOnnxBytes(twice.Bytes()), "output 'y' is already defined");

  Model shadows_input({2});
  shadows_input.Node("Relu", {"x"}, "x");
  shadows_input.Output("x");
  ExpectRefused(ImportOnnxBytes(shadows_input.Bytes()), "output 'x' is already defined");

  Model two_initializers({2});
  two_initializers.Int64s("w", {1});
  two_initializers.Int64s("w", {2});
  two_initializers.Node("Relu", {"x"}, "y");
  two_initializers.Output("y");
  ExpectRefused(ImportOnnxBytes(two_initializers.Bytes()), "two initializers named 'w'");

  Model missing({2});
  missing.Node("Add", {"x", "nowhere"}, "y");
  missing.Output("y");
  ExpectRefused(ImportOnnxBytes(missing.Bytes()), "input 'nowhere' is not defined before it");

  Model no_producer({2});
  no_producer.Node("Relu", {"x"}, "y");
  no_producer.Output("z");
  ExpectRefused(ImportOnnxBytes(no_producer.Bytes()), "graph output 'z' is never produced");
}

class ExternalDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::path(::testing::TempDir()) / "external_data_test";
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "model");
    Write(root_ / "model" / "weights.bin", std::string(8, '\0'));
    Write(root_ / "secret.bin", std::string(8, '\0'));
    std::filesystem::create_symlink(root_ / "secret.bin", root_ / "model" / "link.bin");
  }
  static void Write(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
  }
  // A model whose initializer w (2 floats) lives in `location`.
  absl::StatusOr<graph::Graph> Import(const std::string& location) {
    Model model({2});
    onnx::TensorProto* w = model.Initializer("w", {2}, onnx::TensorProto::FLOAT);
    w->set_data_location(onnx::TensorProto::EXTERNAL);
    auto* entry = w->add_external_data();
    entry->set_key("location");
    entry->set_value(location);
    model.Node("Add", {"x", "w"}, "y");
    model.Output("y");
    return ImportOnnxBytes(model.Bytes(), {}, (root_ / "model").string());
  }

  std::filesystem::path root_;
};

TEST_F(ExternalDataTest, LocationsOutsideTheModelsFolderAreRefused) {
  EXPECT_TRUE(Import("weights.bin").ok()) << Import("weights.bin").status();
  EXPECT_TRUE(Import("./weights.bin").ok());
  const std::string relative = "expected a file name relative to the model's folder";
  ExpectRefused(Import((root_ / "secret.bin").string()), relative);
  ExpectRefused(Import("/etc/passwd"), relative);
  ExpectRefused(Import("../secret.bin"), relative);
  ExpectRefused(Import("sub/../../secret.bin"), relative);
  ExpectRefused(Import("link.bin"), "leads out of the model's folder");
  ExpectRefused(Import("absent.bin"), "is missing next to the model");
  ExpectRefused(Import(""), relative);
}

// 100,000 nodes: import, the target-independent and target passes, kernel
// lowering and memory planning (not LLVM). A recursive pass would overflow
// the stack (it passes with a 512 KiB stack); a quadratic one would not
// finish within the test's timeout.
TEST(HostileModelsTest, AHundredThousandNodeChainCompilesThroughThePasses) {
  constexpr int kNodes = 100000;
  Model chain({1, 8, 4, 4});
  std::string last = "x";
  for (int i = 0; i < kNodes; ++i) {
    const std::string next = "v" + std::to_string(i);
    chain.Node(i % 2 ? "Relu" : "Neg", {last}, next);
    last = next;
  }
  chain.Output(last);
  auto g = ImportOnnxBytes(chain.Bytes());
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->nodes().size(), static_cast<size_t>(kNodes));
  auto target = targets::ParseTarget("llvm -mcpu=haswell");
  ASSERT_TRUE(target.ok());
  passes::PipelineOptions options;
  options.target = &*target;
  ASSERT_TRUE(passes::OptimizeGraph(*g, options).ok());
  EXPECT_GE(g->nodes().size(), 1u);
  auto planned = codegen::PlanGraph(*std::move(g), *target);
  ASSERT_TRUE(planned.ok()) << planned.status();
  EXPECT_GE(planned->plan.steps.size(), 1u);
}

// As wide as it is long: 100,000 nodes all reading the input, summed in a
// balanced tree, so no pass may assume few consumers per value.
TEST(HostileModelsTest, AHundredThousandNodeFanOutImports) {
  constexpr int kNodes = 50000;
  Model wide({4});
  std::vector<std::string> level;
  for (int i = 0; i < kNodes; ++i) {
    level.push_back("r" + std::to_string(i));
    wide.Node("Relu", {"x"}, level.back());
  }
  int sums = 0;
  while (level.size() > 1) {
    std::vector<std::string> next;
    for (size_t i = 0; i + 1 < level.size(); i += 2) {
      next.push_back("s" + std::to_string(sums++));
      wide.Node("Add", {level[i], level[i + 1]}, next.back());
    }
    if (level.size() % 2) next.push_back(level.back());
    level = next;
  }
  wide.Output(level[0]);
  auto g = ImportOnnxBytes(wide.Bytes());
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_GE(g->nodes().size(), static_cast<size_t>(kNodes));
  passes::PipelineOptions options;
  ASSERT_TRUE(passes::OptimizeGraph(*g, options).ok());
}

}  // namespace
}  // namespace kiln::frontend

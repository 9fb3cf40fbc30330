// Runs the ONNX project's backend test suite (Debian's libonnx-testdata):
// every case is imported, run by the reference interpreter and, compiled to
// native code, by the graph executor, and both are compared with the
// expected outputs. A case is skipped only when kiln reports something it
// does not support (code Unimplemented: by the importer for the reference
// path, by the importer or the compiler for the compiled path); everything
// else must pass.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "codegen/graph_compiler.h"
#include "frontend/onnx_context.h"
#include "frontend/onnx_importer.h"
#include "frontend/testing/onnx_suite.h"
#include "gtest/gtest.h"
#include "ir/graph/op_registry.h"
#include "ir/ops/testing/op_test_util.h"

namespace kiln::frontend {
namespace {

namespace fs = std::filesystem;
using testing::kSuite;
using testing::ReadTensor;
using testing::ShapesFromTestData;


enum class Outcome { kPassed, kFailed, kSkipped };

// Follows the backend tests' comparison: |got - want| <= atol + rtol * |want|.
bool Close(const graph::NDArray& got, const graph::NDArray& want, std::string* why) {
  if (got.shape() != want.shape()) {
    *why = absl::StrCat("shape ", got.ShapeString(), " vs expected ", want.ShapeString());
    return false;
  }
  for (int64_t i = 0; i < want.NumElements(); ++i) {
    auto load = [](const graph::NDArray& a, int64_t k) -> double {
      switch (a.dtype()) {
        case runtime::DType::kFloat32: return a.data<float>()[k];
        case runtime::DType::kInt32: return a.data<int32_t>()[k];
        case runtime::DType::kInt64: return static_cast<double>(a.data<int64_t>()[k]);
        default: return a.data<uint8_t>()[k];
      }
    };
    const double g = load(got, i), w = load(want, i);
    if (std::isnan(g) && std::isnan(w)) continue;
    if (!(std::fabs(g - w) <= 1e-5 + 1e-3 * std::fabs(w))) {
      *why = absl::StrCat("element ", i, " is ", g, ", expected ", w);
      return false;
    }
  }
  return true;
}

using Runner = std::function<absl::StatusOr<std::vector<graph::NDArray>>(
    const std::vector<graph::NDArray>& inputs)>;

// How the graph is run: by the reference interpreter or compiled.
using MakeRunner = std::function<absl::StatusOr<Runner>(const graph::Graph&)>;

absl::StatusOr<Runner> Reference(const graph::Graph& g) {
  return Runner([&g](const std::vector<graph::NDArray>& inputs)
                    -> absl::StatusOr<std::vector<graph::NDArray>> {
    absl::flat_hash_map<std::string, graph::NDArray> named;
    for (size_t k = 0; k < inputs.size(); ++k) named[g.value(g.inputs()[k]).name] = inputs[k];
    return graph::Evaluate(g, named);
  });
}

absl::StatusOr<Runner> Compiled(const graph::Graph& g) {
  const targets::Target target = ir::ops::testing::RunnableTargets()[0];
  auto compiled = codegen::CompileGraph(g, target);
  if (!compiled.ok()) return compiled.status();
  auto model = codegen::BuildJitModel(*compiled, target);
  if (!model.ok()) return model.status();
  auto shared = std::make_shared<codegen::JitModel>(*std::move(model));
  return Runner([shared](const std::vector<graph::NDArray>& inputs)
                    -> absl::StatusOr<std::vector<graph::NDArray>> {
    runtime::GraphExecutor& ex = *shared->executor;
    for (size_t k = 0; k < inputs.size(); ++k) {
      if (auto st = ex.SetInput(static_cast<int>(k), inputs[k]); !st.ok()) return st;
    }
    if (auto st = ex.Run(); !st.ok()) return st;
    std::vector<graph::NDArray> outputs;
    for (int k = 0; k < ex.num_outputs(); ++k) outputs.push_back(*ex.GetOutput(k));
    return outputs;
  });
}

Outcome RunCase(const fs::path& dir, const MakeRunner& make_runner, std::string* why) {
  auto g = ImportOnnxFile((dir / "model.onnx").string(), ShapesFromTestData(dir));
  if (!g.ok()) {
    *why = std::string(g.status().message());
    return g.status().code() == absl::StatusCode::kUnimplemented ? Outcome::kSkipped
                                                                   : Outcome::kFailed;
  }
  auto run = make_runner(*g);
  if (!run.ok()) {
    *why = std::string(run.status().message());
    return run.status().code() == absl::StatusCode::kUnimplemented ? Outcome::kSkipped
                                                                     : Outcome::kFailed;
  }
  bool ran = false;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_directory() || entry.path().filename().string().rfind("test_data_set", 0) != 0) {
      continue;
    }
    std::vector<graph::NDArray> inputs;
    for (size_t k = 0; k < g->inputs().size(); ++k) {
      auto t = ReadTensor(entry.path() / absl::StrCat("input_", k, ".pb"));
      if (!t.ok()) {
        *why = std::string(t.status().message());
        return t.status().code() == absl::StatusCode::kUnimplemented ? Outcome::kSkipped
                                                                       : Outcome::kFailed;
      }
      inputs.push_back(*t);
    }
    auto outputs = (*run)(inputs);
    if (!outputs.ok()) {
      *why = std::string(outputs.status().message());
      return Outcome::kFailed;
    }
    for (size_t k = 0; k < outputs->size(); ++k) {
      auto want = ReadTensor(entry.path() / absl::StrCat("output_", k, ".pb"));
      if (!want.ok()) {
        *why = std::string(want.status().message());
        return want.status().code() == absl::StatusCode::kUnimplemented ? Outcome::kSkipped
                                                                          : Outcome::kFailed;
      }
      if (!Close((*outputs)[k], *want, why)) {
        *why = absl::StrCat("output ", k, ": ", *why);
        return Outcome::kFailed;
      }
    }
    ran = true;
  }
  if (!ran) *why = "no test data";
  return ran ? Outcome::kPassed : Outcome::kSkipped;
}

void RunSuite(const char* path_name, const MakeRunner& make_runner, int min_passed) {
  if (!fs::exists(kSuite)) GTEST_SKIP() << kSuite << " is missing (package libonnx-testdata)";
  int passed = 0, failed = 0, skipped = 0;
  std::vector<std::string> failures;
  for (const testing::SuiteCase& c : testing::SuiteCases()) {
    std::string why;
    switch (RunCase(c.dir, make_runner, &why)) {
      case Outcome::kPassed: ++passed; break;
      case Outcome::kSkipped:
        ++skipped;
        std::printf("SKIPPED %s: %s\n", c.Name().c_str(), why.c_str());
        break;
      case Outcome::kFailed:
        ++failed;
        failures.push_back(absl::StrCat(c.Name(), ": ", why));
        break;
    }
  }
  for (const std::string& f : failures) std::printf("FAILED %s\n", f.c_str());
  std::printf("onnx backend suite, %s: %d passed, %d failed, %d skipped\n", path_name, passed,
              failed, skipped);
  EXPECT_EQ(failed, 0);
  EXPECT_GT(passed, min_passed);
}

// The suite feeds the parameters of some operators as graph inputs (the
// scales and sizes of Resize and Upsample, CumSum's axis, Expand's shape,
// Tile's repeats, Trilu's k, OneHot's depth and values, TopK's k, MaxUnpool's
// indices and output shape, every input of Range and ConstantOfShape); real
// models hold them as constants, and kiln needs them constant. These cases
// run with every input but the first (every input of Range and
// ConstantOfShape) frozen into an initializer; the compiled path may refuse
// (int64 data) where the reference runs.
TEST(OnnxConformanceTest, CasesWithConstantParameters) {
  if (!fs::exists(kSuite)) GTEST_SKIP() << kSuite << " is missing (package libonnx-testdata)";
  const std::vector<std::string> prefixes = {
      "test_resize_", "test_upsample_", "test_cumsum_", "test_expand_",          "test_tile",
      "test_tril",    "test_triu",      "test_range_",  "test_constantofshape_",
      "test_onehot_", "test_top_k", "test_maxunpool_"};
  int passed = 0, reference_only = 0, skipped = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(kSuite) / "node")) {
    const fs::path dir = entry.path();
    const std::string name = dir.filename().string();
    if (std::none_of(prefixes.begin(), prefixes.end(),
                     [&](const std::string& p) { return name.rfind(p, 0) == 0; })) {
      continue;
    }
    std::ifstream in(dir / "model.onnx", std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    onnx::ModelProto model;
    ASSERT_TRUE(model.ParseFromString(buffer.str()));
    const fs::path data = dir / "test_data_set_0";
    onnx::GraphProto* graph = model.mutable_graph();
    const bool all_frozen =
        name.rfind("test_range_", 0) == 0 || name.rfind("test_constantofshape_", 0) == 0;
    const int first = all_frozen ? 0 : 1;
    for (int k = first; k < graph->input_size(); ++k) {
      std::ifstream tensor_in(data / absl::StrCat("input_", k, ".pb"), std::ios::binary);
      std::stringstream tensor_bytes;
      tensor_bytes << tensor_in.rdbuf();
      onnx::TensorProto* init = graph->add_initializer();
      ASSERT_TRUE(init->ParseFromString(tensor_bytes.str()));
      init->set_name(graph->input(k).name());
    }
    std::vector<graph::NDArray> inputs;
    InputShapes shapes;
    auto want = ReadTensor(data / "output_0.pb");
    absl::Status read = want.status();
    if (first == 1) {
      auto x = ReadTensor(data / "input_0.pb");
      if (x.ok()) {
        inputs.push_back(*x);
        shapes[graph->input(0).name()] = x->shape();
      } else {
        read = x.status();
      }
    }
    if (!read.ok()) {  // a type kiln does not hold, such as float64
      EXPECT_EQ(read.code(), absl::StatusCode::kUnimplemented) << dir << read;
      ++skipped;
      continue;
    }
    // Frozen inputs are initializers now, no longer graph inputs.
    graph->mutable_input()->DeleteSubrange(first, graph->input_size() - first);
    auto g = ImportOnnxBytes(model.SerializeAsString(), shapes);
    if (!g.ok()) {
      EXPECT_EQ(g.status().code(), absl::StatusCode::kUnimplemented) << dir << g.status();
      ++skipped;
      continue;
    }
    bool compiled = true;
    for (bool compiled_path : {false, true}) {
      auto run = compiled_path ? Compiled(*g) : Reference(*g);
      if (compiled_path && run.status().code() == absl::StatusCode::kUnimplemented) {
        compiled = false;
        continue;
      }
      ASSERT_TRUE(run.ok()) << dir << ": " << run.status();
      auto got = (*run)(inputs);
      ASSERT_TRUE(got.ok()) << dir << ": " << got.status();
      std::string why;
      EXPECT_TRUE(Close((*got)[0], *want, &why)) << dir << ": " << why;
    }
    ++(compiled ? passed : reference_only);
  }
  std::printf("cases with constant parameters: %d passed (both paths), %d passed (reference "
              "only), %d skipped\n", passed, reference_only, skipped);
  EXPECT_GE(passed, 10);
}

TEST(OnnxConformanceTest, ReferenceInterpreter) { RunSuite("reference", Reference, 100); }

TEST(OnnxConformanceTest, Compiled) { RunSuite("compiled", Compiled, 50); }

}  // namespace
}  // namespace kiln::frontend

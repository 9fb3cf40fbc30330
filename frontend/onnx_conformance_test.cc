// Runs the ONNX project's backend test suite (Debian's libonnx-testdata):
// every case is imported, run by the reference interpreter and, compiled to
// native code, by the graph executor, and both are compared with the
// expected outputs. A case is skipped only when kiln reports something it
// does not support (code Unimplemented: by the importer for the reference
// path, by the importer or the compiler for the compiled path); everything
// else must pass.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
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
using testing::ValuesFromTestData;


enum class Outcome { kPassed, kFailed, kSkipped };

// Follows the backend tests' comparison: |got - want| <= atol + rtol * |want|.
bool Close(const graph::NDArray& got, const graph::NDArray& want, std::string* why) {
  if (got.shape() != want.shape()) {
    *why = absl::StrCat("shape ", got.ShapeString(), " vs expected ", want.ShapeString());
    return false;
  }
  if (got.dtype() != want.dtype()) {
    *why = absl::StrCat(runtime::DTypeName(got.dtype()), " values, expected ",
                        runtime::DTypeName(want.dtype()));
    return false;
  }
  // Opset 13's Cast leaves float-to-bfloat16 rounding open: the suite's
  // data truncates, kiln rounds to nearest even (as later opsets specify).
  // They differ by one bfloat16 step, 2^-7 relative at most.
  const double rtol = want.dtype() == runtime::DType::kBFloat16 ? 1.0 / 128 : 1e-3;
  for (int64_t i = 0; i < want.NumElements(); ++i) {
    auto load = [](const graph::NDArray& a, int64_t k) {
      return runtime::ElementAsDouble(a.raw_data(), a.dtype(), k);
    };
    const double g = load(got, i), w = load(want, i);
    if (g == w || (std::isnan(g) && std::isnan(w))) continue;
    if (!(std::fabs(g - w) <= 1e-5 + rtol * std::fabs(w))) {
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

// ONNX's test generator stores bfloat16 tensors as uint16 (NumPy has no
// bfloat16); ONNX's backend runner takes the same bits as bfloat16, and so
// does this.
graph::NDArray AsDeclared(const graph::NDArray& data, runtime::DType declared) {
  if (data.dtype() != runtime::DType::kUInt16 || declared != runtime::DType::kBFloat16) return data;
  graph::NDArray same = *graph::NDArray::Empty(data.shape(), declared);
  std::memcpy(same.raw_data(), data.raw_data(), data.NumBytes());
  return same;
}

// The inputs are offered to the importer as `kiln run MODEL.onnx
// --inputs=...` offers them; `bound` says whether one was bound (the model
// was compiled for its value).
Outcome RunCase(const fs::path& dir, const MakeRunner& make_runner, std::string* why,
                bool* bound) {
  auto g = ImportOnnxFile((dir / "model.onnx").string(), {}, ValuesFromTestData(dir));
  *bound = g.ok() && std::any_of(g->inputs().begin(), g->inputs().end(),
                                 [&](int in) { return g->value(in).constant.has_value(); });
  if (!g.ok() && g.status().code() != absl::StatusCode::kUnimplemented &&
      ImportOnnxFile((dir / "model.onnx").string()).ok()) {
    // The model imports, but not with its test data (a few cases feed a
    // shape their model does not declare): nothing kiln could run.
    *why = absl::StrCat("the test data contradicts the model: ", g.status().message());
    return Outcome::kSkipped;
  }
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
      inputs.push_back(AsDeclared(*t, g->value(g->inputs()[k]).type.dtype));
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
      if (!Close((*outputs)[k], AsDeclared(*want, (*outputs)[k].dtype()), why)) {
        *why = absl::StrCat("output ", k, ": ", *why);
        return Outcome::kFailed;
      }
    }
    ran = true;
  }
  if (!ran) *why = "no test data";
  return ran ? Outcome::kPassed : Outcome::kSkipped;
}

// The cases ONNX Runtime passes (bench/onnx_suite_ort.sh writes the list):
// the set kiln's share is measured against.
absl::flat_hash_set<std::string> OnnxRuntimePasses() {
  absl::flat_hash_set<std::string> names;
  std::ifstream in("frontend/testing/onnx_suite_ort_passing.txt");
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') names.insert(line);
  }
  return names;
}

// A skip reason without what is particular to the case (paths, quoted names,
// numbers), so that cases refused for the same reason count together.
std::string ReasonClass(const std::string& why) {
  std::string text = why;
  if (size_t model = text.find("model.onnx: "); model != std::string::npos) {
    text = text.substr(model + 12);
  }
  std::string out;
  bool quoted = false;
  for (char ch : text) {
    // An apostrophe after a letter ("Trilu's") opens no quotation.
    if (ch == '\'' && (quoted || out.empty() || !std::isalpha(static_cast<unsigned char>(out.back())))) {
      quoted = !quoted;
      if (quoted) out += "'...'";
      continue;
    }
    if (quoted) continue;
    if (std::isdigit(static_cast<unsigned char>(ch))) {
      if (out.empty() || out.back() != 'N') out += 'N';
      continue;
    }
    out += ch;
  }
  return out.size() > 110 ? out.substr(0, 110) + "..." : out;
}

struct GroupCount {
  int cases = 0, passed = 0, failed = 0, skipped = 0, ort = 0, passed_of_ort = 0;
  int passed_bound = 0;  // passed with an input bound to its value at import
};

// Prints one row per directory and the reasons kiln gives for the cases
// ONNX Runtime passes and kiln skips, most frequent first.
void PrintTable(const char* path_name, const std::map<std::string, GroupCount>& groups,
                const std::map<std::string, int>& reasons) {
  std::printf("\n%s path | cases | passed | failed | unsupported | ONNX Runtime passes | "
              "kiln passes of those\n", path_name);
  GroupCount all;
  for (const auto& [group, n] : groups) {
    std::printf("%s | %d | %d | %d | %d | %d | %d\n", group.c_str(), n.cases, n.passed, n.failed,
                n.skipped, n.ort, n.passed_of_ort);
    all.cases += n.cases, all.passed += n.passed, all.failed += n.failed;
    all.skipped += n.skipped, all.ort += n.ort, all.passed_of_ort += n.passed_of_ort;
    all.passed_bound += n.passed_bound;
  }
  std::printf("all | %d | %d | %d | %d | %d | %d (%.1f%%)\n", all.cases, all.passed, all.failed,
              all.skipped, all.ort, all.passed_of_ort,
              all.ort ? 100.0 * all.passed_of_ort / all.ort : 0.0);
  std::printf("(%d of the passed cases had an input that sets a shape or a compile-time "
              "parameter bound to its value at import)\n", all.passed_bound);
  std::vector<std::pair<int, std::string>> sorted;
  for (const auto& [reason, count] : reasons) sorted.push_back({-count, reason});
  std::sort(sorted.begin(), sorted.end());
  std::printf("unsupported by kiln (%s path) among the cases ONNX Runtime passes:\n", path_name);
  for (const auto& [count, reason] : sorted) std::printf("%5d  %s\n", -count, reason.c_str());
}

void RunSuite(const char* path_name, const MakeRunner& make_runner, int min_passed) {
  if (!fs::exists(kSuite)) GTEST_SKIP() << kSuite << " is missing (package libonnx-testdata)";
  const absl::flat_hash_set<std::string> ort_passes = OnnxRuntimePasses();
  std::map<std::string, GroupCount> groups;
  std::map<std::string, int> reasons;
  std::vector<std::string> failures;
  for (const testing::SuiteCase& c : testing::SuiteCases()) {
    std::string why;
    bool bound = false;
    GroupCount& n = groups[c.group];
    ++n.cases;
    const bool ort = ort_passes.contains(c.Name());
    n.ort += ort;
    switch (RunCase(c.dir, make_runner, &why, &bound)) {
      case Outcome::kPassed:
        ++n.passed;
        n.passed_of_ort += ort;
        n.passed_bound += bound;
        break;
      case Outcome::kSkipped:
        ++n.skipped;
        if (ort) ++reasons[ReasonClass(why)];
        std::printf("SKIPPED %s: %s\n", c.Name().c_str(), why.c_str());
        break;
      case Outcome::kFailed:
        ++n.failed;
        failures.push_back(absl::StrCat(c.Name(), ": ", why));
        break;
    }
  }
  for (const std::string& f : failures) std::printf("FAILED %s\n", f.c_str());
  PrintTable(path_name, groups, reasons);
  int passed = 0, failed = 0, skipped = 0;
  for (const auto& [group, n] : groups) passed += n.passed, failed += n.failed, skipped += n.skipped;
  std::printf("onnx backend suite, %s: %d passed, %d failed, %d skipped\n", path_name, passed,
              failed, skipped);
  EXPECT_EQ(failed, 0);
  EXPECT_GT(passed, min_passed);
}

TEST(OnnxConformanceTest, ReferenceInterpreter) { RunSuite("reference", Reference, 100); }

TEST(OnnxConformanceTest, Compiled) { RunSuite("compiled", Compiled, 50); }

}  // namespace
}  // namespace kiln::frontend

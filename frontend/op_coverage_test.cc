// Every graph operator kiln registers is reachable, checked, compiled and
// exercised: it comes from an ONNX converter or is introduced by a named
// graph pass, it has a reference implementation, it has a lowering (or is
// an elementwise step of fused kernels, or a copy) unless a pass always
// removes it, and some case of the ONNX backend suite (or the generated
// ResNet, for what only convolutions of its size produce) contains it.
// Adding an operator without one of these fails here, naming what is
// missing.
#include <map>
#include <set>
#include <string>

#include "absl/strings/str_join.h"
#include "codegen/node_lowering.h"
#include "frontend/onnx_importer.h"
#include "frontend/resnet50_v2_generator.h"
#include "frontend/testing/onnx_suite.h"
#include "gtest/gtest.h"
#include "ir/graph/op_registry.h"
#include "ir/ops/elementwise_exprs.h"
#include "ir/ops/lowering_registry.h"
#include "passes/pipeline.h"
#include "targets/target_parser.h"

namespace kiln::frontend {
namespace {

// Operators the importer accepts that still lack what the test asks for
// (or that the suite, older than them, does not contain). The list may only
// shrink: an entry that is no longer a gap fails too, so
// that a fix removes it here.
const std::map<std::string, std::string>& KnownGaps() {
  static const auto* gaps = new std::map<std::string, std::string>{
      {"cumsum", "the suite gives its axis at run time; the constant-parameter conformance test "
                 "and onnx_models_test check it"},
      {"gelu", "newer than the suite (opset 20); onnx_models_test checks it on both paths"},
      {"mish", "newer than the suite (opset 18); onnx_models_test checks it on both paths"},
      {"resize", "the suite feeds scales at run time; covered with constant scales by "
                 "onnx_conformance_test"},
      {"topk", "the suite gives k as an input at run time (from opset 10); "
               "onnx_conformance_test binds it and runs the compiled kernel"},
  };
  return *gaps;
}

struct Seen {
  std::map<std::string, std::string> imported;    // op -> first case whose import has it
  std::map<std::string, std::string> introduced;  // op -> the pass that first added it
  std::map<std::string, std::string> compiled;    // op -> first case whose target graph has it
};

// Imports `g`'s ops, then runs the target pipeline and notes which pass
// brings each new op in and which ops the compiled graph still holds.
void Observe(const std::string& name, graph::Graph g, const targets::Target& target, Seen& seen) {
  std::set<std::string> present;
  for (const graph::Node& n : g.nodes()) {
    seen.imported.emplace(n.op, name);
    present.insert(n.op);
  }
  passes::PipelineOptions options;
  options.target = &target;
  options.dump = [&](const std::string& pass, const graph::Graph& after) {
    for (const graph::Node& n : after.nodes()) {
      if (present.insert(n.op).second && !(seen.imported.count(n.op) > 0)) {
        seen.introduced.emplace(n.op, pass);
      }
    }
  };
  if (!passes::OptimizeGraph(g, options).ok()) return;
  for (const graph::Node& n : g.nodes()) seen.compiled.emplace(n.op, name);
}

TEST(OpCoverageTest, EveryGraphOperatorIsConvertedCheckedLoweredAndExercised) {
  const auto cases = testing::SuiteCases();
  if (cases.empty()) GTEST_SKIP() << testing::kSuite << " is missing (package libonnx-testdata)";
  const targets::Target target = *targets::ParseTarget("llvm");
  Seen seen;
  for (const testing::SuiteCase& c : cases) {
    auto g = ImportOnnxFile((c.dir / "model.onnx").string(), testing::ShapesFromTestData(c.dir));
    if (g.ok()) Observe(c.Name(), *std::move(g), target, seen);
  }
  // Winograd convolutions need layers with enough tiles: the suite's are
  // too small.
  ResNetOptions resnet;
  resnet.image_size = 64;
  auto bytes = GenerateResNet50V2(resnet);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  auto resnet_graph = ImportOnnxBytes(*bytes);
  ASSERT_TRUE(resnet_graph.ok()) << resnet_graph.status();
  Observe("generated ResNet-50 v2", *std::move(resnet_graph), target, seen);

  std::vector<std::string> problems;
  for (const std::string& op : graph::OpRegistry().Names()) {
    auto def = graph::OpRegistry().Find(op);
    ASSERT_TRUE(def.ok());
    std::string problem;
    const bool imported = (seen.imported.count(op) > 0);
    graph::Node probe;
    probe.op = op;
    const bool lowered = ir::ops::FindLowering(op).ok() || ir::ops::IsFusableElementwise(op) ||
                         codegen::IsCopyNode(probe);
    const bool removed = imported && !(seen.compiled.count(op) > 0);
    if (!def->infer || !def->evaluate) {
      problem = "no type inference or reference implementation";
    } else if (!imported && !(seen.introduced.count(op) > 0)) {
      problem = "neither an ONNX converter in a suite case nor a graph pass produces it";
    } else if (!lowered && !removed) {
      problem = "compiled graphs keep it (" + seen.compiled[op] + ") but it has no lowering";
    }
    const bool known = KnownGaps().count(op) > 0;
    if (!problem.empty() && !known) problems.push_back(op + ": " + problem);
    if (problem.empty() && known) {
      problems.push_back(op + ": covered now; remove it from KnownGaps()");
    }
  }
  for (const auto& [op, why] : KnownGaps()) {
    if (!graph::OpRegistry().Find(op).ok()) problems.push_back(op + ": a gap of no operator");
  }
  EXPECT_TRUE(problems.empty()) << absl::StrJoin(problems, "\n");
  // What the table says, for the record.
  for (const auto& [op, pass] : seen.introduced) {
    std::printf("%-24s introduced by %s\n", op.c_str(), pass.c_str());
  }
  for (const auto& [op, name] : seen.imported) {
    std::printf("%-24s from %s%s\n", op.c_str(), name.c_str(),
                (seen.compiled.count(op) > 0) ? "" : " (removed by the passes)");
  }
}

}  // namespace
}  // namespace kiln::frontend

#include "frontend/testing/both_paths.h"

#include <cstring>

#include "codegen/graph_compiler.h"
#include "frontend/onnx_importer.h"
#include "ir/graph/op_registry.h"
#include "gtest/gtest.h"
#include "ir/ops/testing/op_test_util.h"

namespace kiln::frontend::testing {

absl::StatusOr<BothPaths> RunBothPaths(
    const std::string& bytes, const absl::flat_hash_map<std::string, graph::NDArray>& feeds) {
  auto g = ImportOnnxBytes(bytes);
  if (!g.ok()) return g.status();
  BothPaths both;
  auto reference = graph::Evaluate(*g, feeds);
  if (!reference.ok()) return reference.status();
  both.reference = *std::move(reference);
  const targets::Target target = ir::ops::testing::RunnableTargets()[0];
  auto compiled = codegen::CompileGraph(*g, target);
  if (!compiled.ok()) return compiled.status();
  auto model = codegen::BuildJitModel(*compiled, target);
  if (!model.ok()) return model.status();
  for (const auto& [name, value] : feeds) {
    if (absl::Status st = model->executor->SetInput(name, value); !st.ok()) return st;
  }
  if (absl::Status st = model->executor->Run(); !st.ok()) return st;
  for (size_t k = 0; k < both.reference.size(); ++k) {
    auto got = model->executor->GetOutput(static_cast<int>(k));
    if (!got.ok()) return got.status();
    auto copy = got->Clone();
    if (!copy.ok()) return copy.status();
    both.compiled.push_back(*std::move(copy));
  }
  return both;
}

void ExpectSameResults(const BothPaths& both, float tolerance) {
  ASSERT_EQ(both.compiled.size(), both.reference.size());
  for (size_t k = 0; k < both.reference.size(); ++k) {
    const graph::NDArray& want = both.reference[k];
    const graph::NDArray& got = both.compiled[k];
    EXPECT_EQ(got.shape(), want.shape()) << "output " << k;
    EXPECT_EQ(got.dtype(), want.dtype()) << "output " << k;
    if (got.shape() != want.shape() || got.dtype() != want.dtype()) continue;
    if (got.dtype() == runtime::DType::kFloat32) {
      const float* g = got.data<float>();
      const float* w = want.data<float>();
      ir::ops::testing::ExpectAllNear(std::vector<float>(g, g + got.NumElements()),
                                      std::vector<float>(w, w + want.NumElements()), tolerance,
                                      "compiled output " + std::to_string(k));
    } else {
      EXPECT_EQ(std::memcmp(got.raw_data(), want.raw_data(), got.NumBytes()), 0)
          << "compiled output " << k << " differs from the reference interpreter's";
    }
  }
}

}  // namespace kiln::frontend::testing

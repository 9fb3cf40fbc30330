#include "ir/ops/testing/op_test_util.h"

#include <cmath>
#include <random>

#include "absl/strings/str_cat.h"
#include "codegen/jit.h"
#include "codegen/object_emitter.h"
#include "gtest/gtest.h"
#include "runtime/cpu_features.h"
#include "targets/target_parser.h"

namespace kiln::ir::ops::testing {

std::vector<targets::Target> RunnableTargets() {
  std::vector<targets::Target> out = {*targets::ParseTarget("llvm -mattr=+avx,+avx2,+fma")};
  if (runtime::HostHasFeature("avx512f")) out.push_back(Avx512Target());
  return out;
}

targets::Target Avx512Target() { return *targets::ParseTarget("llvm -mcpu=skylake-avx512"); }

std::vector<float> RandomFloats(int64_t n, uint32_t seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

absl::Status CompileAndRun(const LoweredFunc& f, const targets::Target& target,
                           std::vector<std::vector<float>>& buffers) {
  if (buffers.size() != f.args.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(f.name, " takes ", f.args.size(), " buffers, got ", buffers.size()));
  }
  auto module = codegen::JitModule::Compile({f}, target);
  if (!module.ok()) return module.status();
  auto kernel = (*module)->Lookup(f.name);
  if (!kernel.ok()) return kernel.status();
  std::vector<void*> args;
  for (auto& b : buffers) args.push_back(b.data());
  if (int32_t rc = (*kernel)(args.data()); rc != 0) {
    return absl::InternalError(absl::StrCat(f.name, " returned ", rc));
  }
  return absl::OkStatus();
}

absl::Status CompileOnly(const LoweredFunc& f, const targets::Target& target) {
  return codegen::EmitObject({f}, target).status();
}

void ExpectAllNear(const std::vector<float>& got, const std::vector<float>& want,
                   float tolerance, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    const bool both_nan = std::isnan(got[i]) && std::isnan(want[i]);
    ASSERT_TRUE(both_nan || std::fabs(got[i] - want[i]) <= tolerance * (1 + std::fabs(want[i])))
        << what << ": element " << i << " is " << got[i] << ", expected " << want[i];
  }
}

}  // namespace kiln::ir::ops::testing

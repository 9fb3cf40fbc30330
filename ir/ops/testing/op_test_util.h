// Shared helpers for operator tests: the targets to test on, seeded data, and
// running a lowered function through the JIT.
#ifndef KILN_IR_OPS_TESTING_OP_TEST_UTIL_H_
#define KILN_IR_OPS_TESTING_OP_TEST_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "ir/stmt.h"
#include "targets/target.h"

namespace kiln::ir::ops::testing {

// Targets whose code this host can run: AVX2+FMA always, AVX-512 when the
// host has it.
std::vector<targets::Target> RunnableTargets();
// The AVX-512 target, whose code is at least compiled on every host.
targets::Target Avx512Target();

std::vector<float> RandomFloats(int64_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f);

// Compiles `f` for `target` and runs it on `buffers` (one per argument).
absl::Status CompileAndRun(const LoweredFunc& f, const targets::Target& target,
                           std::vector<std::vector<float>>& buffers);

// Compiles `f` to an object for `target` without running it.
absl::Status CompileOnly(const LoweredFunc& f, const targets::Target& target);

// Fails the current test at the first element off by more than
// tolerance * (1 + |want|).
void ExpectAllNear(const std::vector<float>& got, const std::vector<float>& want,
                   float tolerance, const std::string& what);

}  // namespace kiln::ir::ops::testing

#endif  // KILN_IR_OPS_TESTING_OP_TEST_UTIL_H_

// Helpers the pass tests share: float32 arrays of test values, and checking
// that a rewritten graph still computes what it did.
#ifndef KILN_PASSES_GRAPH_TEST_UTIL_H_
#define KILN_PASSES_GRAPH_TEST_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph/graph.h"

namespace kiln::passes::testing {

// A float32 array of `shape` with values in [-1, 1) from `seed`.
graph::NDArray RandomArray(const std::vector<int64_t>& shape, uint32_t seed);

// Fails the test unless `got` has `want`'s shape and its values within
// `tolerance` (relative to 1 + |want|); `what` names the case.
void ExpectSameArray(const graph::NDArray& got, const graph::NDArray& want, float tolerance,
                     const std::string& what);

}  // namespace kiln::passes::testing

#endif  // KILN_PASSES_GRAPH_TEST_UTIL_H_

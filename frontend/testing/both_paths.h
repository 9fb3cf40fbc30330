// Running one ONNX model on both of kiln's paths, for tests that check a
// converter's decomposition: the reference interpreter over the imported
// graph, and the graph compiled to native code for this machine.
#ifndef KILN_FRONTEND_TESTING_BOTH_PATHS_H_
#define KILN_FRONTEND_TESTING_BOTH_PATHS_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "ir/graph/graph.h"

namespace kiln::frontend::testing {

struct BothPaths {
  std::vector<graph::NDArray> reference;  // every graph output, in order
  std::vector<graph::NDArray> compiled;
};

// Imports `bytes`, evaluates it on `feeds` with the reference interpreter,
// then compiles it for the first target this machine runs and runs it.
absl::StatusOr<BothPaths> RunBothPaths(
    const std::string& bytes, const absl::flat_hash_map<std::string, graph::NDArray>& feeds);

// Test expectations that the compiled outputs have the reference's shapes
// and types, and values: float32 ones within `tolerance` * (1 + |reference|),
// all others byte for byte.
void ExpectSameResults(const BothPaths& both, float tolerance);

}  // namespace kiln::frontend::testing

#endif  // KILN_FRONTEND_TESTING_BOTH_PATHS_H_

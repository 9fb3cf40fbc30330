// The ONNX backend test suite (Debian's libonnx-testdata) for kiln's tests:
// where it is, its cases, and how a case's tensors and input shapes read.
#ifndef KILN_FRONTEND_TESTING_ONNX_SUITE_H_
#define KILN_FRONTEND_TESTING_ONNX_SUITE_H_

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "frontend/onnx_importer.h"
#include "ir/graph/graph.h"

namespace kiln::frontend::testing {

inline constexpr char kSuite[] = "/usr/share/libonnx-testdata/data";

struct SuiteCase {
  std::string group;            // "node", "pytorch-converted", ...
  std::filesystem::path dir;    // holds model.onnx and test_data_set_*/
  std::string Name() const { return group + "/" + dir.filename().string(); }
};

// Every case of the four directories, sorted by group and name; empty when
// the suite is not installed.
std::vector<SuiteCase> SuiteCases();

absl::StatusOr<graph::NDArray> ReadTensor(const std::filesystem::path& path);

// The first data set's inputs by the model's input names, as `kiln run
// MODEL.onnx --inputs=...` offers them to the importer: their shapes bind
// dynamic dimensions, and an input kiln needs constant (Reshape's shape,
// say) is bound to its value.
InputValues ValuesFromTestData(const std::filesystem::path& dir);
// Their shapes alone.
InputShapes ShapesFromTestData(const std::filesystem::path& dir);

}  // namespace kiln::frontend::testing

#endif  // KILN_FRONTEND_TESTING_ONNX_SUITE_H_

#include "frontend/testing/onnx_suite.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "frontend/onnx_context.h"
#include "onnx/onnx_pb.h"

namespace kiln::frontend::testing {

namespace fs = std::filesystem;

std::vector<SuiteCase> SuiteCases() {
  std::vector<SuiteCase> cases;
  if (!fs::exists(kSuite)) return cases;
  for (const char* group : {"node", "pytorch-converted", "pytorch-operator", "simple"}) {
    std::vector<fs::path> dirs;
    for (const auto& entry : fs::directory_iterator(fs::path(kSuite) / group)) {
      if (fs::exists(entry.path() / "model.onnx")) dirs.push_back(entry.path());
    }
    std::sort(dirs.begin(), dirs.end());
    for (const fs::path& dir : dirs) cases.push_back({group, dir});
  }
  return cases;
}

absl::StatusOr<graph::NDArray> ReadTensor(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  onnx::TensorProto proto;
  if (!proto.ParseFromString(buffer.str())) {
    return absl::InvalidArgumentError(absl::StrCat("cannot parse ", path.string()));
  }
  return TensorFromProto(proto, path.parent_path().string(), MachineMemoryBytes());
}

InputValues ValuesFromTestData(const fs::path& dir) {
  InputValues values;
  std::ifstream in(dir / "model.onnx", std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  onnx::ModelProto model;
  if (!model.ParseFromString(buffer.str())) return values;
  absl::flat_hash_set<std::string> initializers;
  for (const auto& init : model.graph().initializer()) initializers.insert(init.name());
  int k = 0;
  for (const auto& input : model.graph().input()) {
    if (initializers.contains(input.name())) continue;
    auto t = ReadTensor(dir / "test_data_set_0" / absl::StrCat("input_", k++, ".pb"));
    if (t.ok()) values.emplace(input.name(), *std::move(t));
  }
  return values;
}

InputShapes ShapesFromTestData(const fs::path& dir) {
  InputShapes shapes;
  for (const auto& [name, value] : ValuesFromTestData(dir)) shapes[name] = value.shape();
  return shapes;
}

}  // namespace kiln::frontend::testing

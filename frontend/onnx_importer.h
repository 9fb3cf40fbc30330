// Importing ONNX models into kiln's graph IR, like TVM's
// relay.frontend.from_onnx(model, shape_dict).
#ifndef KILN_FRONTEND_ONNX_IMPORTER_H_
#define KILN_FRONTEND_ONNX_IMPORTER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "frontend/memory_budget.h"
#include "ir/graph/graph.h"

namespace kiln::frontend {

using InputShapes = absl::flat_hash_map<std::string, std::vector<int64_t>>;
// Values that graph inputs may be bound to, by name. An input is bound only
// where kiln needs a constant (Reshape's shape, Resize's sizes, Trilu's k,
// ...): the model is then compiled for that value, and a compiled model
// checks that every run feeds the same one.
using InputValues = absl::flat_hash_map<std::string, graph::NDArray>;

// The opsets of the default ONNX domain kiln reads.
inline constexpr int kFirstOpset = 1;
inline constexpr int kLastOpset = 21;

// Input shapes given by name bind symbolic dimensions; one that contradicts
// a fixed dimension the model declares is an error. Errors also: a file
// that is not an ONNX model (truncated, corrupt), an opset outside
// kFirstOpset..kLastOpset, a symbolic dimension left unbound (naming the
// input, the dimension and the flag that binds it), and — with code
// Unimplemented — any operator, attribute value or dtype kiln does not
// support, naming the node, the operator and the opset.
//
// A hostile model is refused before it costs memory or time: any one
// tensor (input, initializer, intermediate, folded constant) over
// `memory_budget` bytes, an initializer whose data disagrees with its
// shape, a value name defined twice or used before it is defined (which
// includes cycles), and external data outside the model's folder.
// An input given a value but no shape takes the value's shape.
absl::StatusOr<graph::Graph> ImportOnnxFile(const std::string& path,
                                            const InputShapes& input_shapes = {},
                                            const InputValues& input_values = {},
                                            int64_t memory_budget = MachineMemoryBytes());
// `model_dir` resolves external data files.
absl::StatusOr<graph::Graph> ImportOnnxBytes(const std::string& bytes,
                                             const InputShapes& input_shapes = {},
                                             const std::string& model_dir = ".",
                                             const InputValues& input_values = {},
                                             int64_t memory_budget = MachineMemoryBytes());

// A graph input as the model file declares it, for messages that suggest
// --input_shapes values that fit the model.
struct DeclaredInput {
  std::string name;
  std::string declared_shape;  // e.g. "[N,3,224,224]"; "?" when the model gives none
  std::string example_shape;   // fixed dimensions kept, others 1: "[1,3,224,224]"
                               // ("[d0,d1,...]" without a declared shape)
};

// The inputs (initializers excluded) of the model at `path`, in order.
absl::StatusOr<std::vector<DeclaredInput>> ReadOnnxInputs(const std::string& path);

}  // namespace kiln::frontend

#endif  // KILN_FRONTEND_ONNX_IMPORTER_H_

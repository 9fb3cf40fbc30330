// The --input_shapes flag's value, which binds a model's input dimensions.
#ifndef KILN_DRIVER_INPUT_SHAPES_H_
#define KILN_DRIVER_INPUT_SHAPES_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "frontend/onnx_importer.h"

namespace kiln::driver {

// tvmc's --input-shapes: "data:[1,3,224,224]"; several separated by spaces,
// commas or semicolons ("a:[4,8] b:[8,16]", "a:[4,8],b:[8,16]"); spaces
// inside the brackets are fine ("a:[4, 8]"). A name may contain ':'
// ("input:0:[1,3]").
absl::StatusOr<frontend::InputShapes> ParseInputShapes(absl::string_view spec);

}  // namespace kiln::driver

#endif  // KILN_DRIVER_INPUT_SHAPES_H_

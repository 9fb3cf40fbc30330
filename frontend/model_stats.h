// What a generated (or any) ONNX model costs, measured on the ONNX side so
// that it also covers models kiln cannot import yet.
#ifndef KILN_FRONTEND_MODEL_STATS_H_
#define KILN_FRONTEND_MODEL_STATS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace kiln::frontend {

struct ModelStats {
  // Floating-point operations of Conv, ConvTranspose, MatMul and Gemm, two
  // per multiply-add (the convention of published GFLOP counts that are
  // twice the multiply-adds); elementwise work is left out.
  double flop = 0;
  int64_t parameters = 0;  // elements of all initializers
  int64_t nodes = 0;
};

// Runs onnx's model checker and its strict shape inference, then counts.
// Errors: bytes that do not parse, the checker's or shape inference's
// complaint (InvalidArgument), and an operator whose shapes shape inference
// left unknown (the count would be wrong).
absl::StatusOr<ModelStats> AnalyzeOnnxModel(const std::string& bytes);

}  // namespace kiln::frontend

#endif  // KILN_FRONTEND_MODEL_STATS_H_

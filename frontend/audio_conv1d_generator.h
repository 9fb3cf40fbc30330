// A 1-D convolutional audio classifier with seeded weights at opset 13: the
// feature encoder of wav2vec 2.0 (Baevski et al. 2020) without its
// GroupNorm, i.e. seven Conv1d layers without bias, kernels 10,3,3,3,3,2,2
// and strides 5,2,2,2,2,2,2, each followed by GELU (through Erf, as PyTorch
// exports it), then a classifier head: ReduceMean over time and Gemm.
// Input "waveform" [1, 1, samples], output "logits" [1, classes]; at 16000
// samples and 512 channels the encoder ends with 49 frames, 4.9 GFLOP.
#ifndef KILN_FRONTEND_AUDIO_CONV1D_GENERATOR_H_
#define KILN_FRONTEND_AUDIO_CONV1D_GENERATOR_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace kiln::frontend {

struct AudioConv1dOptions {
  uint64_t seed = 1;
  int64_t samples = 16000;  // one second at 16 kHz
  int64_t channels = 512;
  int64_t classes = 35;  // the Speech Commands keywords
};

// The serialized ModelProto.
absl::StatusOr<std::string> GenerateAudioConv1d(const AudioConv1dOptions& options = {});

}  // namespace kiln::frontend

#endif  // KILN_FRONTEND_AUDIO_CONV1D_GENERATOR_H_

// The model generators by name, each at its published size or at a small
// size that keeps tests and smoke runs fast: what //frontend:generate_model
// and bench/models.sh choose from.
#ifndef KILN_FRONTEND_MODEL_ZOO_H_
#define KILN_FRONTEND_MODEL_ZOO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace kiln::frontend {

// resnet50_v2, mobilenet_v2, bert_base, unet, audio_conv1d.
std::vector<std::string> ZooModelNames();

// The serialized ModelProto of model `name`; NotFound lists the names.
absl::StatusOr<std::string> GenerateZooModel(const std::string& name, bool small = false,
                                             uint64_t seed = 1);

}  // namespace kiln::frontend

#endif  // KILN_FRONTEND_MODEL_ZOO_H_

#include "frontend/model_zoo.h"

#include <functional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "frontend/audio_conv1d_generator.h"
#include "frontend/bert_generator.h"
#include "frontend/mobilenet_v2_generator.h"
#include "frontend/resnet50_v2_generator.h"
#include "frontend/unet_generator.h"

namespace kiln::frontend {
namespace {

using Generator = std::function<absl::StatusOr<std::string>(bool small, uint64_t seed)>;

// A generator from its options' defaults (the published size) and how
// `small` shrinks them.
template <typename Options>
Generator Sized(absl::StatusOr<std::string> (*generate)(const Options&),
                void (*shrink)(Options&)) {
  return [generate, shrink](bool small, uint64_t seed) {
    Options o;
    o.seed = seed;
    if (small) shrink(o);
    return generate(o);
  };
}

const std::vector<std::pair<std::string, Generator>>& Zoo() {
  // The small sizes keep every layer kind and each model's structure (all
  // stages, heads, levels and strides) while shrinking the work ~100x.
  static const auto* zoo = new std::vector<std::pair<std::string, Generator>>{
      {"resnet50_v2", Sized<ResNetOptions>(GenerateResNet50V2,
                                           [](ResNetOptions& o) {
                                             o.image_size = 32;
                                             o.width = 8;
                                             o.classes = 10;
                                           })},
      {"mobilenet_v2", Sized<MobileNetV2Options>(GenerateMobileNetV2,
                                                 [](MobileNetV2Options& o) {
                                                   o.image_size = 32;
                                                   o.width_multiplier = 0.25;
                                                   o.classes = 10;
                                                 })},
      {"bert_base", Sized<BertOptions>(GenerateBert,
                                       [](BertOptions& o) {
                                         o.layers = 2;
                                         o.hidden = 64;
                                         o.heads = 4;
                                         o.intermediate = 128;
                                         o.sequence = 16;
                                       })},
      {"unet", Sized<UNetOptions>(GenerateUNet,
                                  [](UNetOptions& o) {
                                    o.image_size = 32;
                                    o.width = 4;
                                  })},
      {"audio_conv1d", Sized<AudioConv1dOptions>(GenerateAudioConv1d,
                                                 [](AudioConv1dOptions& o) {
                                                   o.samples = 1600;
                                                   o.channels = 16;
                                                   o.classes = 10;
                                                 })},
  };
  return *zoo;
}

}  // namespace

std::vector<std::string> ZooModelNames() {
  std::vector<std::string> names;
  for (const auto& [name, generator] : Zoo()) names.push_back(name);
  return names;
}

absl::StatusOr<std::string> GenerateZooModel(const std::string& name, bool small, uint64_t seed) {
  for (const auto& [zoo_name, generator] : Zoo()) {
    if (zoo_name == name) return generator(small, seed);
  }
  return absl::NotFoundError(absl::StrCat("no model generator '", name,
                                          "'; the generators are: ",
                                          absl::StrJoin(ZooModelNames(), ", ")));
}

}  // namespace kiln::frontend

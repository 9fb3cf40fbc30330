// Writes the ResNet-50 v2 topology with seeded weights to an ONNX file.
//   bazel run //frontend:generate_resnet50_v2 -- --output=/tmp/resnet50-v2.onnx
#include <cstdio>
#include <string>

#include "frontend/resnet50_v2_generator.h"
#include "gflags/gflags.h"

DEFINE_string(output, "resnet50-v2-generated.onnx", "where to write the model");
DEFINE_uint64(seed, 1, "seed of the weights");
DEFINE_int64(image_size, 224, "input height and width (smaller for quick tests)");
DEFINE_int64(width, 64, "channels of the first stage (64 in ResNet-50)");
DEFINE_int64(classes, 1000, "outputs of the classifier");

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  kiln::frontend::ResNetOptions options;
  options.seed = FLAGS_seed;
  options.image_size = FLAGS_image_size;
  options.width = FLAGS_width;
  options.classes = FLAGS_classes;
  if (auto st = kiln::frontend::WriteResNet50V2(FLAGS_output, options); !st.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(st.message()).c_str());
    return 1;
  }
  std::printf("wrote %s\n", FLAGS_output.c_str());
  return 0;
}

// The example's image helpers for Python (examples/resnet50_tune.py): the
// same decoding and preprocessing as the C++ example, so that both feed the
// model the same input without an imaging library in Python.
#include <cstring>
#include <string>

#include "examples/imagenet_image.h"
#include "pybind11/numpy.h"
#include "pybind11/pybind11.h"
#include "pybind11/stl.h"

namespace py = pybind11;

PYBIND11_MODULE(_imagenet_image, m) {
  m.def(
      "load_imagenet_input",
      [](const std::string& path, int size) {
        auto image = kiln::examples::LoadImageNetInput(path, size);
        if (!image.ok()) throw py::value_error(std::string(image.status().message()));
        py::array_t<float> out({int64_t{1}, int64_t{3}, int64_t{size}, int64_t{size}});
        std::memcpy(out.mutable_data(), image->raw_data(), image->NumBytes());
        return out;
      },
      py::arg("path"), py::arg("size") = 224,
      "float32 [1, 3, size, size]: decoded, resized as PIL does, scaled to [0, 1], "
      "normalized with ImageNet's mean and std, NCHW");
}

#include "examples/imagenet_image.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "stb/stb_image.h"

namespace kiln::examples {
namespace {

// Weights of the source samples contributing to each output sample along
// one axis: PIL's bilinear resampling (triangle filter, support scaled when
// downsampling, half-pixel centers).
struct Taps {
  std::vector<int> first;
  std::vector<std::vector<float>> weights;
};

Taps AxisTaps(int in, int out) {
  const double scale = static_cast<double>(in) / out;
  const double support = std::max(1.0, scale);
  Taps taps;
  for (int o = 0; o < out; ++o) {
    const double center = (o + 0.5) * scale;
    const int lo = std::max(0, static_cast<int>(std::floor(center - support)));
    const int hi = std::min(in, static_cast<int>(std::ceil(center + support)));
    std::vector<float> w;
    double total = 0;
    for (int i = lo; i < hi; ++i) {
      const double x = std::fabs((i + 0.5 - center) / support);
      const double v = std::max(0.0, 1.0 - x);
      w.push_back(static_cast<float>(v));
      total += v;
    }
    for (float& v : w) v = static_cast<float>(v / total);
    taps.first.push_back(lo);
    taps.weights.push_back(std::move(w));
  }
  return taps;
}

}  // namespace

std::vector<float> ResizeBilinear(const unsigned char* pixels, int width, int height,
                                  int channels, int out_width, int out_height) {
  const Taps tx = AxisTaps(width, out_width), ty = AxisTaps(height, out_height);
  // Horizontal pass into [height][out_width][channels], then vertical.
  std::vector<float> rows(static_cast<size_t>(height) * out_width * channels);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < out_width; ++x)
      for (int c = 0; c < channels; ++c) {
        float v = 0;
        for (size_t k = 0; k < tx.weights[x].size(); ++k) {
          v += tx.weights[x][k] * pixels[(static_cast<size_t>(y) * width + tx.first[x] + k) * channels + c];
        }
        rows[(static_cast<size_t>(y) * out_width + x) * channels + c] = v;
      }
  std::vector<float> out(static_cast<size_t>(out_height) * out_width * channels);
  for (int y = 0; y < out_height; ++y)
    for (int x = 0; x < out_width; ++x)
      for (int c = 0; c < channels; ++c) {
        float v = 0;
        for (size_t k = 0; k < ty.weights[y].size(); ++k) {
          v += ty.weights[y][k] * rows[((ty.first[y] + k) * out_width + x) * channels + c];
        }
        out[(static_cast<size_t>(y) * out_width + x) * channels + c] = v;
      }
  return out;
}

absl::StatusOr<runtime::NDArray> LoadImageNetInput(const std::string& path, int size) {
  int width = 0, height = 0, channels = 0;
  std::unique_ptr<unsigned char, void (*)(void*)> pixels(
      stbi_load(path.c_str(), &width, &height, &channels, 3), stbi_image_free);
  if (!pixels) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read the image ", path, ": ", stbi_failure_reason()));
  }
  const std::vector<float> resized = ResizeBilinear(pixels.get(), width, height, 3, size, size);
  auto input = runtime::NDArray::Empty({1, 3, size, size}, runtime::DType::kFloat32);
  if (!input.ok()) return input.status();
  const float mean[3] = {0.485f, 0.456f, 0.406f}, std_dev[3] = {0.229f, 0.224f, 0.225f};
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < size * size; ++i) {
      input->data<float>()[c * size * size + i] =
          (resized[i * 3 + c] / 255.0f - mean[c]) / std_dev[c];
    }
  return input;
}

std::vector<std::pair<int, float>> TopK(const float* logits, int n, int k) {
  const float max = *std::max_element(logits, logits + n);
  double total = 0;
  for (int i = 0; i < n; ++i) total += std::exp(static_cast<double>(logits[i]) - max);
  std::vector<std::pair<int, float>> all;
  for (int i = 0; i < n; ++i) {
    all.emplace_back(i, static_cast<float>(std::exp(static_cast<double>(logits[i]) - max) / total));
  }
  k = std::min(k, n);
  std::partial_sort(all.begin(), all.begin() + k, all.end(),
                    [](const auto& a, const auto& b) { return a.second > b.second; });
  all.resize(k);
  return all;
}

absl::StatusOr<std::vector<std::string>> ReadSynset(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);) {
    const size_t space = line.find(' ');
    const bool wordnet_id = line.size() > 9 && line[0] == 'n' && space == 9;
    names.push_back(wordnet_id ? line.substr(space + 1) : line);
  }
  return names;
}

}  // namespace kiln::examples

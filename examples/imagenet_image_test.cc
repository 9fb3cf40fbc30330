#include "examples/imagenet_image.h"

#include <cmath>
#include <fstream>

#include "gtest/gtest.h"

namespace kiln::examples {
namespace {

TEST(ImageNetImageTest, LoadsTheCatNormalized) {
  auto input = LoadImageNetInput("examples/data/chelsea.png");
  ASSERT_TRUE(input.ok()) << input.status();
  EXPECT_EQ(input->shape(), (std::vector<int64_t>{1, 3, 224, 224}));
  float lo = 1e9, hi = -1e9;
  for (int64_t i = 0; i < input->NumElements(); ++i) {
    lo = std::min(lo, input->data<float>()[i]);
    hi = std::max(hi, input->data<float>()[i]);
  }
  // (0 - 0.485) / 0.229 and (1 - 0.406) / 0.225 bound the normalized values.
  EXPECT_GE(lo, -2.12f);
  EXPECT_LE(hi, 2.65f);
  EXPECT_GT(hi - lo, 2.0f) << "a photo, not a flat image";
}

TEST(ImageNetImageTest, ResizeKeepsConstantsAndInterpolatesLinearly) {
  // A 2x1 gray ramp upscaled to 4x1: half-pixel centers give 0, 25%, 75%, 100%.
  const unsigned char ramp[2] = {0, 200};
  const std::vector<float> up = ResizeBilinear(ramp, 2, 1, 1, 4, 1);
  ASSERT_EQ(up.size(), 4u);
  EXPECT_NEAR(up[0], 0, 1e-4);
  EXPECT_NEAR(up[1], 50, 1e-4);
  EXPECT_NEAR(up[2], 150, 1e-4);
  EXPECT_NEAR(up[3], 200, 1e-4);
  // Shrinking a constant image keeps it constant (weights sum to one).
  std::vector<unsigned char> flat(37 * 23 * 3, 77);
  for (float v : ResizeBilinear(flat.data(), 37, 23, 3, 5, 7)) EXPECT_NEAR(v, 77, 1e-3);
}

TEST(ImageNetImageTest, MissingAndCorruptFilesAreErrors) {
  EXPECT_FALSE(LoadImageNetInput("/nonexistent/cat.png").ok());
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/garbage.png";
  std::ofstream(path) << "this is not an image";
  auto st = LoadImageNetInput(path).status();
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("garbage.png"), std::string::npos) << st;
}

TEST(ImageNetImageTest, TopKAndSynset) {
  const float logits[5] = {1, 3, 2, -1, 3.5};
  const auto top = TopK(logits, 5, 3);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].first, 4);
  EXPECT_EQ(top[1].first, 1);
  EXPECT_EQ(top[2].first, 2);
  double total = 0;
  for (float x : logits) total += std::exp(x - 3.5);
  EXPECT_NEAR(top[0].second, 1 / total, 1e-6);
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/synset.txt";
  std::ofstream(path) << "n01440764 tench, Tinca tinca\nplain name\n";
  auto names = ReadSynset(path);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ((*names)[0], "tench, Tinca tinca");
  EXPECT_EQ((*names)[1], "plain name");
}

}  // namespace
}  // namespace kiln::examples

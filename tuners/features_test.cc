#include "tuners/features.h"

#include <cmath>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/tuning/task.h"

namespace kiln::tuners {
namespace {

using ::testing::ElementsAre;
using ::testing::FloatNear;
using ::testing::Pointwise;

float L(double x) { return static_cast<float>(std::log2(1.0 + x)); }

TEST(FeaturesTest, ParsesNames) {
  EXPECT_EQ(*ParseFeatureType("knob"), FeatureType::kKnob);
  EXPECT_EQ(*ParseFeatureType("itervar"), FeatureType::kItervar);
  EXPECT_EQ(*ParseFeatureType("curve"), FeatureType::kCurve);
  EXPECT_FALSE(ParseFeatureType("loops").ok());
}

TEST(FeaturesTest, ItervarFromKnobsFollowsTheAssumedNest) {
  tuning::ConfigSpace space;
  ASSERT_TRUE(space.DefineSplit("x", 24, 3).ok());
  ASSERT_TRUE(space.DefineSplit("y", 8, 2).ok());
  ASSERT_TRUE(space.DefineBool("unroll").ok());
  // x = [2, 3, 4], y = [2, 4], unroll = true.
  std::vector<int64_t> choices(3);
  for (int64_t i = 0; i < space.knobs()[0].size(); ++i) {
    if (std::get<std::vector<int64_t>>(space.knobs()[0].value(i)) ==
        std::vector<int64_t>{2, 3, 4}) {
      choices[0] = i;
    }
  }
  choices[1] = 2;  // y inner 4
  choices[2] = 1;
  tuning::Config config = *space.FromChoices(choices);
  ASSERT_THAT(*config.Split("y"), ElementsAre(2, 4));
  // Nest (outer to inner): x0=2, x1=3, y0=2, x2=4, y1=4 — y has two parts so
  // it lines up with x's inner two levels.
  std::vector<float> expected = {
      L(2), L(24), L(2 * 3 * 2 * 4 * 4),  // x0
      L(3), L(12), L(3 * 2 * 4 * 4),      // x1
      L(2), L(8), L(2 * 4 * 4),           // y0
      L(4), L(4), L(4 * 4),               // x2
      L(4), L(4), L(4),                   // y1
      L(4 * 4),                           // register tile
      L(3 * 4 * 2 * 4),                   // cache tile
      1.0f,                               // unroll
  };
  EXPECT_THAT(ItervarFeaturesFromKnobs(config),
              Pointwise(FloatNear(1e-5), expected));
}

TEST(FeaturesTest, CurveHasFixedLengthAndReflectsTiling) {
  tuning::ConfigSpace small;
  ASSERT_TRUE(small.DefineSplit("x", 16, 2).ok());
  tuning::ConfigSpace big;
  ASSERT_TRUE(big.DefineSplit("a", 64, 3).ok());
  ASSERT_TRUE(big.DefineSplit("b", 32, 2).ok());
  ASSERT_TRUE(big.DefineBool("u").ok());
  ASSERT_TRUE(big.DefineIntChoice("c", {1, 2, 3}).ok());
  const size_t length = 3 * kCurveSamples + 2;
  EXPECT_EQ(CurveFeaturesFromKnobs(small.At(0)).size(), length);
  for (int64_t i = 0; i < big.size(); i += 97) {
    EXPECT_EQ(CurveFeaturesFromKnobs(big.At(i)).size(), length);
  }
  // One axis: the touched span equals the iterations covered, so y1 = x at
  // every sample up to log2(16) = 4, then flat; reuse is 0 throughout.
  std::vector<float> one = CurveFeaturesFromKnobs(small.At(2));  // [4, 4]
  for (int s = 0; s < kCurveSamples; ++s) {
    EXPECT_NEAR(one[s], std::min(s, 4), 1e-5) << s;
    EXPECT_NEAR(one[2 * kCurveSamples + s], 0.0, 1e-5) << s;
  }
  // Different inner tiles give different curves.
  EXPECT_NE(CurveFeaturesFromKnobs(big.At(0)), CurveFeaturesFromKnobs(big.At(5)));
  // Summaries: fraction of bools set, mean normalized choice index.
  tuning::Config last = big.At(big.size() - 1);
  std::vector<float> f = CurveFeaturesFromKnobs(last);
  EXPECT_FLOAT_EQ(f[3 * kCurveSamples], 1.0f);
  EXPECT_FLOAT_EQ(f[3 * kCurveSamples + 1], 1.0f);
}

TEST(FeaturesTest, ExtractFeaturesDispatchesOnTheType) {
  tuning::ConfigSpace space;
  ASSERT_TRUE(space.DefineSplit("x", 8, 2).ok());
  tuning::Config config = space.At(1);
  EXPECT_EQ(ExtractFeatures(config, FeatureType::kKnob), config.KnobFeatures());
  EXPECT_EQ(ExtractFeatures(config, FeatureType::kItervar), ItervarFeaturesFromKnobs(config));
  EXPECT_EQ(ExtractFeatures(config, FeatureType::kCurve), CurveFeaturesFromKnobs(config));
}

}  // namespace
}  // namespace kiln::tuners

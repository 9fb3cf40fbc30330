#include "ir/tuning/config_space.h"

#include <algorithm>
#include <set>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kiln::tuning {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Reference: every ordered factorization of n into k parts, brute force.
std::set<std::vector<int64_t>> AllFactorizations(int64_t n, int k) {
  std::set<std::vector<int64_t>> out;
  if (k == 1) {
    out.insert({n});
    return out;
  }
  for (int64_t d = 1; d <= n; ++d) {
    if (n % d != 0) continue;
    for (std::vector<int64_t> rest : AllFactorizations(n / d, k - 1)) {
      rest.insert(rest.begin(), d);
      out.insert(rest);
    }
  }
  return out;
}

std::set<std::vector<int64_t>> Candidates(const Knob& knob) {
  std::set<std::vector<int64_t>> out;
  for (int64_t i = 0; i < knob.size(); ++i) {
    out.insert(std::get<std::vector<int64_t>>(knob.value(i)));
  }
  return out;
}

TEST(ConfigSpaceTest, SplitEnumeratesEveryFactorization) {
  for (int64_t extent : {1, 7, 12, 56, 64, 97, 360}) {
    for (int parts : {1, 2, 3, 4}) {
      ConfigSpace space;
      ASSERT_TRUE(space.DefineSplit("s", extent, parts).ok());
      EXPECT_EQ(Candidates(space.knobs()[0]), AllFactorizations(extent, parts))
          << extent << " into " << parts;
      EXPECT_EQ(space.size(), space.knobs()[0].size());
    }
  }
}

TEST(ConfigSpaceTest, SplitFiltersInnermostAndCustom) {
  ConfigSpace space;
  SplitOptions options;
  options.max_innermost = 8;
  options.filter = [](absl::Span<const int64_t> e) { return e[0] != 8; };
  ASSERT_TRUE(space.DefineSplit("s", 64, 2, options).ok());
  // Inner at most 8 leaves {64,1} {32,2} {16,4} {8,8}; the filter drops {8,8}.
  EXPECT_EQ(Candidates(space.knobs()[0]),
            (std::set<std::vector<int64_t>>{{64, 1}, {32, 2}, {16, 4}}));
}

TEST(ConfigSpaceTest, PowerOfTwoSplitAllowsTails) {
  ConfigSpace space;
  SplitOptions options;
  options.policy = SplitOptions::Policy::kPowerOfTwo;
  ASSERT_TRUE(space.DefineSplit("s", 7, 2, options).ok());
  // inner 1, 2, 4; outer = ceil(7 / inner) covers the axis with a tail.
  EXPECT_EQ(Candidates(space.knobs()[0]),
            (std::set<std::vector<int64_t>>{{7, 1}, {4, 2}, {2, 4}}));
  for (int64_t i = 0; i < space.size(); ++i) {
    const auto& e = std::get<std::vector<int64_t>>(space.knobs()[0].value(i));
    EXPECT_GE(e[0] * e[1], 7);
    EXPECT_LT((e[0] - 1) * e[1], 7);  // no iteration entirely out of bounds
  }
}

TEST(ConfigSpaceTest, RejectsBadDefinitions) {
  ConfigSpace space;
  EXPECT_FALSE(space.DefineSplit("s", 0, 2).ok());
  EXPECT_FALSE(space.DefineSplit("s", 8, 0).ok());
  SplitOptions none;
  none.max_innermost = 1;
  none.filter = [](absl::Span<const int64_t>) { return false; };
  EXPECT_THAT(std::string(space.DefineSplit("s", 8, 2, none).message()),
              HasSubstr("no candidate left"));
  ASSERT_TRUE(space.DefineBool("b").ok());
  EXPECT_EQ(space.DefineBool("b").code(), absl::StatusCode::kAlreadyExists);
  EXPECT_FALSE(space.DefineIntChoice("c", {1, 2, 1}).ok());
  EXPECT_FALSE(space.DefineIntChoice("c", {}).ok());
  EXPECT_FALSE(space.DefineStringChoice("c", {"x", "x"}).ok());
  EXPECT_FALSE(space.DefineAnnotate("a", {}, {"none"}).ok());
  EXPECT_EQ(space.size(), 2);  // failed definitions left it unchanged
}

TEST(ConfigSpaceTest, SizeOverflowIsAnError) {
  ConfigSpace space;
  absl::Status status;
  for (int i = 0; i < 80 && status.ok(); ++i) {
    status = space.DefineIntChoice("k" + std::to_string(i),
                                   {1, 2, 3, 4, 5, 6, 7, 8});
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(space.size(), int64_t{1} << 60);  // 8^20; 8^21 overflows
}

TEST(ConfigSpaceTest, IndexIsMixedRadixFirstKnobFastest) {
  ConfigSpace space;
  ASSERT_TRUE(space.DefineIntChoice("a", {10, 20, 30}).ok());
  ASSERT_TRUE(space.DefineStringChoice("b", {"x", "y"}).ok());
  ASSERT_TRUE(space.DefineBool("c").ok());
  ASSERT_EQ(space.size(), 12);
  for (int64_t i = 0; i < space.size(); ++i) {
    Config config = space.At(i);
    EXPECT_THAT(config.choices(), ElementsAre(i % 3, (i / 3) % 2, i / 6));
    EXPECT_EQ(space.FromChoices(config.choices())->index(), i);
  }
  Config c = space.At(10);  // choices (1, 1, 1): a=20, b="y", c=true
  EXPECT_EQ(*c.Int("a"), 20);
  EXPECT_EQ(*c.String("b"), "y");
  EXPECT_TRUE(*c.Bool("c"));
  EXPECT_EQ(c.Int("b").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(c.Split("a").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(c.Bool("nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(space.Get(12).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(space.Get(-1).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_FALSE(space.FromChoices({0, 2, 0}).ok());
  EXPECT_FALSE(space.FromChoices({0, 0}).ok());
}

TEST(ConfigSpaceTest, LargeSpacesAreNotMaterialized) {
  ConfigSpace space;
  for (const char* name : {"tile_ic", "tile_oc", "tile_oh", "tile_ow"}) {
    ASSERT_TRUE(space.DefineSplit(name, 512, 3).ok());
  }
  ASSERT_TRUE(space.DefineBool("unroll").ok());
  // 55 candidates per split: 55^4 * 2 points, none stored.
  EXPECT_EQ(space.size(), 55LL * 55 * 55 * 55 * 2);
  Config last = space.At(space.size() - 1);
  // The last candidate puts everything in the middle loop.
  EXPECT_THAT(*last.Split("tile_ow"), ElementsAre(1, 512, 1));
  EXPECT_TRUE(*last.Bool("unroll"));
}

TEST(ConfigSpaceTest, ToStringLooksLikeAutoTvm) {
  ConfigSpace space;
  ASSERT_TRUE(space.DefineSplit("tile_oc", 64, 2).ok());
  ASSERT_TRUE(space.DefineBool("unroll_kw").ok());
  ASSERT_TRUE(space.DefineStringChoice("layout", {"NCHW", "it's"}).ok());
  ASSERT_TRUE(space.DefineAnnotate("ann", {"x", "y"}, {"none", "vec"}).ok());
  // tile_oc candidates: inner 1,2,4,8,16,32,64 -> choose inner 16 (index 4).
  Config config = *space.FromChoices({4, 1, 1, 2});
  EXPECT_EQ(config.ToString(),
            "[('tile_oc', [-1, 16]), ('unroll_kw', True), "
            "('layout', 'it\\'s'), ('ann', ['none', 'vec'])]");
  EXPECT_THAT(*config.Split("tile_oc"), ElementsAre(4, 16));
  EXPECT_THAT(*config.Annotation("ann"), ElementsAre("none", "vec"));
}

TEST(ConfigSpaceTest, JsonRoundTripAndRobustDecoding) {
  ConfigSpace space;
  ASSERT_TRUE(space.DefineSplit("tile", 48, 3).ok());
  ASSERT_TRUE(space.DefineIntChoice("n", {4, 8}).ok());
  ASSERT_TRUE(space.DefineAnnotate("ann", {"i", "j"}, {"none", "unroll"}).ok());
  for (int64_t i = 0; i < space.size(); i += 7) {
    Config config = space.At(i);
    absl::StatusOr<Json> text = ParseJson(config.ToJson().Dump());
    ASSERT_TRUE(text.ok());
    absl::StatusOr<Config> back = space.FromJson(*text);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->index(), i);
  }
  Json config = space.At(5).ToJson();
  // A space whose filter now excludes some candidates decodes by value.
  ConfigSpace filtered;
  SplitOptions options;
  options.filter = [](absl::Span<const int64_t> e) { return e[2] != 2; };
  ASSERT_TRUE(filtered.DefineSplit("tile", 48, 3, options).ok());
  ASSERT_TRUE(filtered.DefineIntChoice("n", {4, 8}).ok());
  ASSERT_TRUE(filtered.DefineAnnotate("ann", {"i", "j"}, {"none", "unroll"}).ok());
  absl::StatusOr<Config> moved = filtered.FromJson(config);
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(moved->ToString(), space.At(5).ToString());
  // Mismatches are errors, not crashes.
  ConfigSpace other;
  ASSERT_TRUE(other.DefineSplit("tile", 48, 3).ok());
  EXPECT_FALSE(other.FromJson(config).ok());
  EXPECT_FALSE(space.FromJson(Json(1)).ok());
  EXPECT_FALSE(space.FromJson(*ParseJson(R"({"entity": [1, 2, 3]})")).ok());
  Json bad_value = *ParseJson(
      R"({"entity": [["tile","sp",[-1,5,5]],["n","ch",4],["ann","an",["none","none"]]]})");
  EXPECT_THAT(std::string(space.FromJson(bad_value).status().message()),
              HasSubstr("no candidate [-1,5,5]"));
}

TEST(ConfigSpaceTest, KnobFeatures) {
  ConfigSpace space;
  ASSERT_TRUE(space.DefineSplit("tile", 12, 2).ok());
  ASSERT_TRUE(space.DefineIntChoice("n", {4, 16}).ok());
  ASSERT_TRUE(space.DefineStringChoice("s", {"a", "b", "c"}).ok());
  ASSERT_TRUE(space.DefineBool("u").ok());
  ASSERT_TRUE(space.DefineAnnotate("ann", {"i", "j"}, {"none", "unroll", "vec"}).ok());
  EXPECT_EQ(space.KnobFeatureLength(), 2 + 1 + 1 + 1 + 2);
  // tile inner 3 -> [4, 3]; n=16; s="c" (index 2); u=true; ann = [vec, unroll].
  Config config = *space.FromChoices({2, 1, 2, 1, 2 + 3 * 1});
  EXPECT_THAT(*config.Split("tile"), ElementsAre(4, 3));
  EXPECT_THAT(*config.Annotation("ann"), ElementsAre("vec", "unroll"));
  EXPECT_THAT(config.KnobFeatures(), ElementsAre(4, 3, 16, 2, 1, 2, 1));
}

TEST(ConfigSpaceTest, ConfigsOutliveAndIgnoreLaterKnobs) {
  ConfigSpace space;
  ASSERT_TRUE(space.DefineBool("a").ok());
  Config before = space.At(1);
  ASSERT_TRUE(space.DefineBool("b").ok());
  EXPECT_EQ(before.ToString(), "[('a', True)]");
  EXPECT_EQ(space.At(1).ToString(), "[('a', True), ('b', False)]");
  EXPECT_NE(before, space.At(1));
  ConfigSpace empty;
  EXPECT_EQ(empty.size(), 1);
  EXPECT_EQ(empty.At(0).ToString(), "[]");
}

}  // namespace
}  // namespace kiln::tuning

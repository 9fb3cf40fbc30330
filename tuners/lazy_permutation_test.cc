#include "tuners/lazy_permutation.h"

#include <algorithm>
#include <vector>

#include "gtest/gtest.h"

namespace kiln::tuners {
namespace {

TEST(LazyPermutationTest, DrawsEveryElementExactlyOnce) {
  for (int64_t n : {0, 1, 2, 7, 100}) {
    std::mt19937_64 rng(n);
    LazyPermutation permutation(n);
    std::vector<int64_t> drawn;
    while (std::optional<int64_t> v = permutation.Next(rng)) drawn.push_back(*v);
    EXPECT_EQ(permutation.remaining(), 0);
    std::sort(drawn.begin(), drawn.end());
    std::vector<int64_t> all(n);
    for (int64_t i = 0; i < n; ++i) all[i] = i;
    EXPECT_EQ(drawn, all);
  }
}

TEST(LazyPermutationTest, IsUniformEnough) {
  // Position of element 0 over many small permutations: each of 4 slots
  // should get about a quarter.
  std::mt19937_64 rng(1);
  int first_slot[4] = {0, 0, 0, 0};
  for (int trial = 0; trial < 4000; ++trial) {
    LazyPermutation permutation(4);
    for (int slot = 0; slot < 4; ++slot) {
      if (*permutation.Next(rng) == 0) ++first_slot[slot];
    }
  }
  for (int count : first_slot) {
    EXPECT_GT(count, 850);
    EXPECT_LT(count, 1150);
  }
}

TEST(LazyPermutationTest, HugeRangesCostOnlyWhatIsDrawn) {
  std::mt19937_64 rng(3);
  LazyPermutation permutation(int64_t{1} << 62);
  std::vector<int64_t> drawn;
  for (int i = 0; i < 1000; ++i) drawn.push_back(*permutation.Next(rng));
  std::sort(drawn.begin(), drawn.end());
  EXPECT_EQ(std::unique(drawn.begin(), drawn.end()), drawn.end());
}

TEST(LazyPermutationTest, SameSeedSameSequence) {
  std::mt19937_64 a(42), b(42);
  LazyPermutation pa(1000), pb(1000);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(pa.Next(a), pb.Next(b));
}

}  // namespace
}  // namespace kiln::tuners

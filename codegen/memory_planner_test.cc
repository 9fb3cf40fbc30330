#include "codegen/memory_planner.h"

#include <random>

#include "gtest/gtest.h"

namespace kiln::codegen {
namespace {

bool Overlap(const BufferLifetime& a, int64_t oa, const BufferLifetime& b, int64_t ob) {
  const bool live_together = a.first_step <= b.last_step && b.first_step <= a.last_step;
  const bool bytes_shared = oa < ob + b.bytes && ob < oa + a.bytes;
  return live_together && bytes_shared;
}

TEST(MemoryPlannerTest, ChainReusesTwoBuffers) {
  // A chain x1 -> x2 -> ... -> x6 of equal sizes needs only two at a time.
  std::vector<BufferLifetime> chain;
  for (int s = 0; s < 6; ++s) chain.push_back({1000, s, s + 1});
  const MemoryPlan plan = PlanMemory(chain);
  EXPECT_EQ(plan.arena_bytes, 2 * 1024);
}

TEST(MemoryPlannerTest, RandomLifetimesNeverShareLiveBytes) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<BufferLifetime> buffers;
    int64_t total = 0;
    for (int i = 0; i < 40; ++i) {
      const int first = rng() % 30;
      buffers.push_back({1 + static_cast<int64_t>(rng() % 5000), first,
                         first + static_cast<int>(rng() % 6)});
      total += (buffers.back().bytes + 63) / 64 * 64;
    }
    const MemoryPlan plan = PlanMemory(buffers);
    EXPECT_LE(plan.arena_bytes, total);
    for (size_t i = 0; i < buffers.size(); ++i) {
      EXPECT_EQ(plan.offsets[i] % 64, 0);
      EXPECT_LE(plan.offsets[i] + buffers[i].bytes, plan.arena_bytes);
      for (size_t j = 0; j < i; ++j) {
        EXPECT_FALSE(Overlap(buffers[i], plan.offsets[i], buffers[j], plan.offsets[j]))
            << "buffers " << i << " and " << j << " in trial " << trial;
      }
    }
  }
}

}  // namespace
}  // namespace kiln::codegen

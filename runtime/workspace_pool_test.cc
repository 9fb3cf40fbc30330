#include "runtime/workspace_pool.h"

#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace kiln::runtime {
namespace {

TEST(WorkspacePoolTest, BlocksAreAlignedAndWritable) {
  WorkspacePool pool;
  for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{63}, int64_t{4097}, int64_t{1} << 20}) {
    char* p = static_cast<char*>(pool.Alloc(n));
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u) << n;
    std::memset(p, 0x5a, static_cast<size_t>(std::max<int64_t>(n, 1)));
    pool.Free(p);
  }
}

TEST(WorkspacePoolTest, FreedBlockServesTheNextRequestOfAboutItsSize) {
  WorkspacePool pool;
  void* first = pool.Alloc(3 << 20);
  pool.Free(first);
  EXPECT_EQ(pool.num_cached_blocks(), 1);
  EXPECT_EQ(pool.Alloc(3 << 20), first);
  EXPECT_EQ(pool.num_cached_blocks(), 0);
  pool.Free(first);
  // A slightly smaller request (the next layer's padded input) reuses it too.
  EXPECT_EQ(pool.Alloc((3 << 20) - 1000), first);
  pool.Free(first);
}

TEST(WorkspacePoolTest, SmallRequestDoesNotTakeAFarLargerBlock) {
  WorkspacePool pool;
  void* big = pool.Alloc(8 << 20);
  pool.Free(big);
  void* small = pool.Alloc(1024);
  EXPECT_NE(small, big);
  EXPECT_EQ(pool.num_cached_blocks(), 1);
  pool.Free(small);
  EXPECT_EQ(pool.num_cached_blocks(), 2);
}

TEST(WorkspacePoolTest, PicksTheSmallestBlockThatFits) {
  WorkspacePool pool;
  void* a = pool.Alloc(100 << 10);
  void* b = pool.Alloc(120 << 10);
  void* c = pool.Alloc(90 << 10);
  pool.Free(b);
  pool.Free(a);
  pool.Free(c);
  EXPECT_EQ(pool.Alloc(95 << 10), a);
  EXPECT_EQ(pool.Alloc(80 << 10), c);
  EXPECT_EQ(pool.Alloc(110 << 10), b);
  pool.Free(a);
  pool.Free(b);
  pool.Free(c);
}

TEST(WorkspacePoolTest, CacheStaysWithinItsBlockLimit) {
  WorkspacePool pool;
  std::vector<void*> blocks;
  for (int i = 0; i < WorkspacePool::kMaxCachedBlocks + 10; ++i) blocks.push_back(pool.Alloc(4096));
  for (void* p : blocks) pool.Free(p);
  EXPECT_EQ(pool.num_cached_blocks(), WorkspacePool::kMaxCachedBlocks);
  EXPECT_EQ(pool.cached_bytes(), WorkspacePool::kMaxCachedBlocks * int64_t{4096});
}

TEST(WorkspacePoolTest, CacheStaysWithinItsByteLimitByReleasingTheLargest) {
  // Untouched virtual memory: only each block's first page is ever written.
  WorkspacePool pool;
  const int64_t third = WorkspacePool::kMaxCachedBytes / 3;
  void* a = pool.Alloc(third);
  void* b = pool.Alloc(third + (1 << 20));
  void* c = pool.Alloc(third / 2);
  void* d = pool.Alloc(third / 2);
  pool.Free(a);
  pool.Free(c);
  pool.Free(d);
  EXPECT_EQ(pool.num_cached_blocks(), 3);
  pool.Free(b);  // a + b + c + d exceeds the limit: b, the largest, goes
  EXPECT_EQ(pool.num_cached_blocks(), 3);
  EXPECT_LE(pool.cached_bytes(), WorkspacePool::kMaxCachedBytes);
  EXPECT_EQ(pool.Alloc(third), a);
}

TEST(WorkspacePoolTest, BlockFreedOnAnotherThreadJoinsThatThreadsPool) {
  void* block = ThreadWorkspacePool().Alloc(1 << 20);
  int cached_there = -1;
  void* reused = nullptr;
  std::thread other([&] {
    ThreadWorkspacePool().Free(block);
    cached_there = ThreadWorkspacePool().num_cached_blocks();
    reused = ThreadWorkspacePool().Alloc(1 << 20);
    ThreadWorkspacePool().Free(reused);
  });
  other.join();
  EXPECT_EQ(cached_there, 1);
  EXPECT_EQ(reused, block);
}

TEST(WorkspacePoolTest, FreeOfNullIsANoOp) {
  WorkspacePool pool;
  pool.Free(nullptr);
  EXPECT_EQ(pool.num_cached_blocks(), 0);
}

}  // namespace
}  // namespace kiln::runtime

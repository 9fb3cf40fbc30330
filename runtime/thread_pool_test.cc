#include "runtime/thread_pool.h"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"

#include "gtest/gtest.h"

namespace kiln::runtime {
namespace {

TEST(ThreadPoolTest, EveryTaskRunsExactlyOnce) {
  for (int threads : {1, 2, 3, 8}) {
    ThreadPool pool(threads);
    for (int64_t n : {0, 1, 2, 7, 64, 1000}) {
      std::vector<std::atomic<int>> hits(n);
      ASSERT_EQ(pool.ParallelFor(n, [&](int64_t t, int64_t num) {
        EXPECT_EQ(num, n);
        hits[t].fetch_add(1);
        return 0;
      }), 0);
      for (int64_t t = 0; t < n; ++t) EXPECT_EQ(hits[t].load(), 1) << t << " of " << n;
    }
  }
}

TEST(ThreadPoolTest, ManyBackToBackLaunches) {
  ThreadPool pool(4);
  std::atomic<int64_t> sum{0};
  for (int round = 0; round < 2000; ++round) {
    ASSERT_EQ(pool.ParallelFor(round % 17 + 1, [&](int64_t t, int64_t) {
      sum.fetch_add(t + 1);
      return 0;
    }), 0);
  }
  int64_t expected = 0;
  for (int round = 0; round < 2000; ++round) {
    const int64_t n = round % 17 + 1;
    expected += n * (n + 1) / 2;
  }
  EXPECT_EQ(sum.load(), expected);
}

TEST(ThreadPoolTest, NestedLaunchesRunInline) {
  ThreadPool pool(3);
  std::atomic<int> inner{0};
  ASSERT_EQ(pool.ParallelFor(6, [&](int64_t, int64_t) {
    return pool.ParallelFor(5, [&](int64_t, int64_t) {
      inner.fetch_add(1);
      return 0;
    });
  }), 0);
  EXPECT_EQ(inner.load(), 30);
}

TEST(ThreadPoolTest, FailureIsReported) {
  ThreadPool pool(2);
  EXPECT_EQ(pool.ParallelFor(10, [](int64_t t, int64_t) { return t == 7 ? 3 : 0; }), 3);
}

TEST(ThreadPoolTest, TheLowestFailingTaskWinsAndFailureStopsNewTasks) {
  ThreadPool pool(2);
  for (int round = 0; round < 50; ++round) {
    std::atomic<int64_t> ran{0};
    // Tasks 300 and 700 fail; task 300 runs before 700 on whichever thread
    // takes it, or 700 is never started: either way 300's code is reported
    // whenever 300 ran, and some of the 1000 tasks are skipped.
    const int32_t rc = pool.ParallelFor(1000, [&](int64_t t, int64_t) {
      ran.fetch_add(1);
      return t == 300 ? 5 : t == 700 ? 9 : 0;
    });
    EXPECT_TRUE(rc == 5 || rc == 9) << rc;
    EXPECT_LT(ran.load(), 1000);
  }
}

TEST(ThreadPoolTest, ASlowThreadDoesNotHoldItsShareOfTheTasks) {
  ThreadPool pool(2);
  // Whichever thread runs task 0 sleeps through it: the other thread must
  // take nearly all the remaining tasks rather than half of them.
  std::atomic<int64_t> by_others{0};
  std::atomic<std::thread::id> slow{};
  ASSERT_EQ(pool.ParallelFor(160, [&](int64_t t, int64_t) {
    if (t == 0) {
      slow.store(std::this_thread::get_id());
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    } else if (std::this_thread::get_id() != slow.load()) {
      by_others.fetch_add(1);
    }
    return 0;
  }), 0);
  EXPECT_GT(by_others.load(), 120);
}

TEST(ThreadPoolTest, EachThreadStartsOnItsOwnShareAndRunsItInOrder) {
  // The split of a kernel's tasks must be the same in every launch, so that
  // a thread reads what it wrote in the previous kernel. Others only ever
  // take tasks from the back of a share, so its first task is always run by
  // its owner, whatever the timing.
  for (int threads : {2, 3}) {
    ThreadPool pool(threads);
    for (int round = 0; round < 20; ++round) {
      const int64_t n = 90;
      std::vector<std::thread::id> runner(n);
      std::vector<int64_t> order;
      absl::Mutex mu;
      ASSERT_EQ(pool.ParallelFor(n, [&](int64_t t, int64_t) {
        runner[t] = std::this_thread::get_id();
        absl::MutexLock lock(&mu);
        order.push_back(t);
        return 0;
      }), 0);
      EXPECT_EQ(runner[0], std::this_thread::get_id());  // the caller is thread 0
      std::set<std::thread::id> owners;
      for (int i = 0; i < threads; ++i) owners.insert(runner[n * i / threads]);
      EXPECT_EQ(owners.size(), static_cast<size_t>(threads)) << "round " << round;
      // What one thread ran of its own share, it ran front to back.
      for (int i = 0; i < threads; ++i) {
        const std::thread::id owner = runner[n * i / threads];
        int64_t last = -1;
        for (int64_t t : order) {
          if (runner[t] != owner || t < n * i / threads || t >= n * (i + 1) / threads) continue;
          EXPECT_GT(t, last);
          last = t;
        }
      }
    }
  }
}

TEST(ThreadPoolTest, ResizeKeepsWorking) {
  ThreadPool pool(1);
  ASSERT_TRUE(pool.SetNumThreads(3).ok());
  EXPECT_EQ(pool.num_threads(), 3);
  EXPECT_FALSE(pool.SetNumThreads(0).ok());
  std::atomic<int> count{0};
  ASSERT_EQ(pool.ParallelFor(9, [&](int64_t, int64_t) {
    count.fetch_add(1);
    return 0;
  }), 0);
  EXPECT_EQ(count.load(), 9);
}

// Far more threads than cores: waiting threads sleep instead of spinning,
// and every task still runs exactly once, failures included.
TEST(ThreadPoolTest, OversubscribedPoolsRunEveryTaskOnce) {
  const int threads = 8 * AvailableCores() + 3;
  ThreadPool pool(threads);
  ASSERT_EQ(pool.num_threads(), threads);
  for (int round = 0; round < 300; ++round) {
    const int64_t n = round % 2 == 0 ? round % 97 + 1 : threads * 3 + round;
    std::vector<std::atomic<int>> hits(n);
    ASSERT_EQ(pool.ParallelFor(n, [&](int64_t t, int64_t) {
      hits[t].fetch_add(1);
      return 0;
    }), 0);
    for (int64_t t = 0; t < n; ++t) ASSERT_EQ(hits[t].load(), 1) << t << " of " << n;
  }
  EXPECT_EQ(pool.ParallelFor(500, [](int64_t t, int64_t) { return t == 7 || t == 400 ? 9 : 0; }),
            9);
  ASSERT_TRUE(pool.SetNumThreads(2 * threads).ok());
  std::atomic<int64_t> sum{0};
  ASSERT_EQ(pool.ParallelFor(1000, [&](int64_t t, int64_t) {
    sum.fetch_add(t);
    return 0;
  }), 0);
  EXPECT_EQ(sum.load(), 999 * 1000 / 2);
}

class CgroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::string(std::getenv("TEST_TMPDIR")) + "/cgroup_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(root_);
  }
  void Write(const std::string& path, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(root_ + path).parent_path());
    std::ofstream(root_ + path) << text;
  }
  std::string root_;
};

TEST_F(CgroupTest, V2QuotaIsTheTightestOfTheCgroupAndItsParents) {
  Write("/kubepods/pod1/cpu.max", "150000 100000\n");  // 1.5 CPUs: 2 threads
  Write("/kubepods/pod1/box/cpu.max", "max 100000\n");
  Write("/cpu.max", "max 100000\n");
  EXPECT_EQ(CgroupCpuQuota("0::/kubepods/pod1/box\n", root_), 2);
  Write("/kubepods/cpu.max", "50000 100000\n");
  EXPECT_EQ(CgroupCpuQuota("0::/kubepods/pod1/box\n", root_), 1);
}

TEST_F(CgroupTest, AContainerSeesItsCgroupAtTheRoot) {
  Write("/cpu.max", "400000 100000");
  EXPECT_EQ(CgroupCpuQuota("0::/docker/0123abcd\n", root_), 4);
}

TEST_F(CgroupTest, V1QuotaFromTheCpuController) {
  Write("/cpu,cpuacct/docker/x/cpu.cfs_quota_us", "300000\n");
  Write("/cpu,cpuacct/docker/x/cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(CgroupCpuQuota("12:memory:/docker/x\n4:cpu,cpuacct:/docker/x\n", root_), 3);
}

TEST_F(CgroupTest, NoQuotaWhenUnlimitedOrMissing) {
  EXPECT_EQ(CgroupCpuQuota("0::/\n", root_), std::nullopt);
  Write("/cpu.max", "max 100000\n");
  EXPECT_EQ(CgroupCpuQuota("0::/\n", root_), std::nullopt);
  Write("/cpu/cpu.cfs_quota_us", "-1\n");
  Write("/cpu/cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(CgroupCpuQuota("3:cpu:/\n", root_), std::nullopt);
  Write("/cpu.max", "garbage");
  EXPECT_EQ(CgroupCpuQuota("0::/\n", root_), std::nullopt);
}

TEST(ThreadPoolTest, TheDefaultIsTheCoresThisProcessMayUse) {
  unsetenv("KILN_NUM_THREADS");
  EXPECT_GE(AvailableCores(), 1);
  EXPECT_EQ(DefaultNumThreads(), AvailableCores());
  setenv("KILN_NUM_THREADS", "1", 1);
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(DefaultNumThreads(), 1);
  EXPECT_EQ(::testing::internal::GetCapturedStderr().find("more than"), std::string::npos);
  // More than the cores is honoured, with a warning.
  const std::string many = std::to_string(4 * AvailableCores() + 1);
  setenv("KILN_NUM_THREADS", many.c_str(), 1);
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(DefaultNumThreads(), 4 * AvailableCores() + 1);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("KILN_NUM_THREADS=" + many +
                                                          " is more than the"),
            std::string::npos);
  unsetenv("KILN_NUM_THREADS");
}

TEST(ThreadPoolTest, AForkedChildRunsTasksOnItsOwnThread) {
  ThreadPool pool(3);
  ASSERT_EQ(pool.ParallelFor(6, [](int64_t, int64_t) { return 0; }), 0);  // workers exist
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::atomic<int> count{0};
    const int32_t rc = pool.ParallelFor(50, [&](int64_t, int64_t) {
      count.fetch_add(1);
      return 0;
    });
    _exit(rc == 0 && count.load() == 50 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace kiln::runtime

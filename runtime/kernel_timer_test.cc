#include "runtime/kernel_timer.h"

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/cache_flush.h"

namespace kiln::runtime {
namespace {

// Spins (rather than sleeps) for at least `micros`, like a kernel would.
void Spin(int micros) {
  auto end = std::chrono::steady_clock::now() + std::chrono::microseconds(micros);
  while (std::chrono::steady_clock::now() < end) {
  }
}

TEST(KernelTimerTest, RunsRepeatTimesNumber) {
  TimingOptions option;
  option.number = 3;
  option.repeat = 4;
  absl::StatusOr<KernelTimer> timer = KernelTimer::Create(option);
  ASSERT_TRUE(timer.ok());
  int calls = 0;
  absl::StatusOr<std::vector<double>> costs = timer->Time([&] {
    ++calls;
    Spin(50);
    return absl::OkStatus();
  });
  ASSERT_TRUE(costs.ok());
  EXPECT_EQ(calls, 1 + 12);  // the warm-up, then repeat x number
  ASSERT_EQ(costs->size(), 4u);
  for (double c : *costs) EXPECT_GE(c, 50e-6);  // per run, not per repeat
}

TEST(KernelTimerTest, MinRepeatMsGrowsNumber) {
  TimingOptions option;
  option.number = 1;
  option.repeat = 2;
  option.min_repeat_ms = 20;
  KernelTimer timer = *KernelTimer::Create(option);
  int calls = 0;
  double seconds_in_runs = 0;
  absl::StatusOr<std::vector<double>> costs = timer.Time([&] {
    auto start = std::chrono::steady_clock::now();
    ++calls;
    Spin(1000);
    seconds_in_runs +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return absl::OkStatus();
  });
  ASSERT_TRUE(costs.ok());
  // One 1 ms run cannot fill 20 ms, so number must have grown past the
  // warm-up and one run per repeat. How far depends on how long a spin
  // really took on a loaded machine; what may not vary is that each of the
  // two kept repeats ran for at least 20 ms (5% slack for the loop's own
  // time, which the runs' clock does not see).
  EXPECT_GT(calls, 1 + 2);
  EXPECT_GE(seconds_in_runs, 2 * 20e-3 * 0.95);
  for (double c : *costs) EXPECT_GE(c, 1e-3);
}

TEST(KernelTimerTest, KernelErrorStopsTiming) {
  TimingOptions option;
  option.repeat = 5;
  KernelTimer timer = *KernelTimer::Create(option);
  int calls = 0;
  absl::StatusOr<std::vector<double>> costs = timer.Time([&] {
    return ++calls == 2 ? absl::InternalError("wrong answer")
                        : absl::OkStatus();
  });
  EXPECT_EQ(costs.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(calls, 2);
}

TEST(KernelTimerTest, FlushesCachesWhenAsked) {
  TimingOptions option;
  option.repeat = 2;
  option.enable_cpu_cache_flush = true;
  KernelTimer timer = *KernelTimer::Create(option);
  EXPECT_TRUE(timer.Time([] { return absl::OkStatus(); }).ok());
  option.repeat = 0;
  EXPECT_FALSE(KernelTimer::Create(option).ok());
}

TEST(KernelTimerTest, RewarmsAfterEachFlushBeforeTheTimedRuns) {
  TimingOptions option;
  option.repeat = 3;
  option.number = 2;
  std::vector<char> events;
  auto run = [&] {
    events.push_back('r');
    return absl::OkStatus();
  };
  auto rewarm = [&] { events.push_back('w'); };
  option.enable_cpu_cache_flush = true;
  ASSERT_TRUE(KernelTimer::Create(option)->Time(run, rewarm).ok());
  EXPECT_EQ(std::string(events.begin(), events.end()), "rwrrwrrwrr");
  // Without flushing nothing went cold, so nothing is re-warmed.
  events.clear();
  option.enable_cpu_cache_flush = false;
  ASSERT_TRUE(KernelTimer::Create(option)->Time(run, rewarm).ok());
  EXPECT_EQ(std::string(events.begin(), events.end()), "rrrrrrr");
}

TEST(CacheFlushTest, BufferExceedsTheCaches) {
  EXPECT_GE(CacheFlusher::DefaultFlushBytes(), size_t{8} << 20);
  CacheFlusher flusher(1 << 20);
  EXPECT_EQ(flusher.bytes(), size_t{1} << 20);
  flusher.Flush();
  flusher.Flush();
  CacheFlusher tiny(1);
  tiny.Flush();  // rounds up to one cache line, no out-of-bounds write
  EXPECT_EQ(tiny.bytes(), 64u);
}

}  // namespace
}  // namespace kiln::runtime

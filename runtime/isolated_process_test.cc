#include "runtime/isolated_process.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kiln::runtime {
namespace {

using ::testing::HasSubstr;

TEST(IsolatedProcessTest, ReturnsTheChildsBytes) {
  std::string big(1 << 20, 'x');  // more than a pipe buffer holds
  big[12345] = '\0';
  absl::StatusOr<ChildOutcome> outcome =
      RunInChildProcess([&] { return big; }, absl::Seconds(10));
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->kind, ChildOutcome::Kind::kReturned) << outcome->Describe();
  EXPECT_EQ(outcome->payload, big);

  outcome = RunInChildProcess([] { return std::string(); }, absl::Seconds(10));
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->kind, ChildOutcome::Kind::kReturned);
  EXPECT_EQ(outcome->payload, "");
}

TEST(IsolatedProcessTest, ChildRunsInItsOwnAddressSpace) {
  int value = 1;
  absl::StatusOr<ChildOutcome> outcome = RunInChildProcess(
      [&] {
        value = 2;
        return std::to_string(getpid());
      },
      absl::Seconds(10));
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(value, 1);
  EXPECT_NE(outcome->payload, std::to_string(getpid()));
}

TEST(IsolatedProcessTest, SegfaultIsReportedAsCrash) {
  absl::StatusOr<ChildOutcome> outcome = RunInChildProcess(
      [] {
        // A store to a page with no access is a hardware fault, as a broken
        // kernel's would be, where a null store is undefined behaviour that
        // UBSan reports first. Under ASan its own SEGV handler would turn the
        // fault into an abort: the child takes the default action instead.
        signal(SIGSEGV, SIG_DFL);
        void* page = mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        *static_cast<volatile int*>(page) = 1;
        return std::string("unreachable");
      },
      absl::Seconds(10));
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->kind, ChildOutcome::Kind::kCrashed);
  EXPECT_EQ(outcome->signal, SIGSEGV);
  EXPECT_THAT(outcome->Describe(), HasSubstr("signal 11"));
}

TEST(IsolatedProcessTest, AbortIsReportedAsCrash) {
  absl::StatusOr<ChildOutcome> outcome = RunInChildProcess(
      []() -> std::string { std::abort(); }, absl::Seconds(10));
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->kind, ChildOutcome::Kind::kCrashed);
  EXPECT_EQ(outcome->signal, SIGABRT);
}

TEST(IsolatedProcessTest, HangIsKilledAtTheDeadline) {
  absl::StatusOr<ChildOutcome> outcome = RunInChildProcess(
      []() -> std::string {
        volatile bool forever = true;
        while (forever) {
        }
        return "";
      },
      absl::Milliseconds(300));
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->kind, ChildOutcome::Kind::kTimedOut);
  EXPECT_GE(outcome->seconds, 0.3);
  EXPECT_THAT(outcome->Describe(), HasSubstr("timed out"));
}

TEST(IsolatedProcessTest, BlockedChildIsKilledAtTheDeadline) {
  absl::StatusOr<ChildOutcome> outcome = RunInChildProcess(
      []() -> std::string {
        sleep(100);  // blocked in a system call rather than spinning
        return "late";
      },
      absl::Milliseconds(200));
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->kind, ChildOutcome::Kind::kTimedOut);
}

TEST(IsolatedProcessTest, ExitBeforeReturningIsReported) {
  absl::StatusOr<ChildOutcome> outcome = RunInChildProcess(
      []() -> std::string { _exit(3); }, absl::Seconds(10));
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->kind, ChildOutcome::Kind::kExited);
  EXPECT_EQ(outcome->exit_code, 3);
  // exit(0) without a result is not a normal return either.
  outcome = RunInChildProcess([]() -> std::string { _exit(0); },
                              absl::Seconds(10));
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->kind, ChildOutcome::Kind::kExited);
}

TEST(IsolatedProcessTest, ParentSurvivesManyChildren) {
  for (int i = 0; i < 20; ++i) {
    absl::StatusOr<ChildOutcome> outcome = RunInChildProcess(
        [i]() -> std::string {
          if (i % 2 == 0) raise(SIGFPE);
          return std::to_string(i);
        },
        absl::Seconds(10));
    ASSERT_TRUE(outcome.ok());
    if (i % 2 == 0) {
      EXPECT_EQ(outcome->signal, SIGFPE);
    } else {
      EXPECT_EQ(outcome->payload, std::to_string(i));
    }
  }
}

}  // namespace
}  // namespace kiln::runtime

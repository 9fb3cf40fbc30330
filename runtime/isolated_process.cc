#include "runtime/isolated_process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace kiln::runtime {
namespace {

using Clock = std::chrono::steady_clock;

// Exit code of a child that could not write its result back.
constexpr int kWriteFailedExitCode = 121;

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

[[noreturn]] void RunChild(const std::function<std::string()>& fn,
                           int write_fd, pid_t parent) {
  // Die with the parent instead of running on as an orphan (e.g. when the
  // tuner is interrupted while this child hangs).
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(kWriteFailedExitCode);
  // Own process group, so a timeout kills whatever the kernel spawned too.
  setpgid(0, 0);
  // Report crashes as the signal itself: crash handlers the parent
  // installed (glog's, say) must not run, print or catch in the child.
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP}) {
    signal(sig, SIG_DFL);
  }
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_UNBLOCK, &all, nullptr);
  // No core files from candidate kernels that crash by the hundred.
  struct rlimit no_core = {0, 0};
  setrlimit(RLIMIT_CORE, &no_core);

  std::string result = fn();
  uint64_t size = result.size();
  bool ok = WriteAll(write_fd, reinterpret_cast<const char*>(&size),
                     sizeof(size)) &&
            WriteAll(write_fd, result.data(), result.size());
  _exit(ok ? 0 : kWriteFailedExitCode);
}

int MillisecondsUntil(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count()) + 1;
}

// Reads the child's pipe until EOF or the deadline; false on timeout.
bool ReadUntilEof(int fd, Clock::time_point deadline, std::string& out) {
  char chunk[65536];
  while (true) {
    if (Clock::now() >= deadline) return false;
    struct pollfd pfd = {fd, POLLIN, 0};
    int ready = poll(&pfd, 1, MillisecondsUntil(deadline));
    if (ready < 0) {
      if (errno == EINTR) continue;
      return true;  // treat a broken poll as EOF; the wait status decides
    }
    if (ready == 0) continue;  // re-check the deadline
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return true;
    }
    if (n == 0) return true;
    out.append(chunk, static_cast<size_t>(n));
  }
}

enum class WaitResult { kReaped, kTimedOut, kLost };

// Waits for the child to exit until the deadline. kLost: the status is gone
// (SIGCHLD ignored by the process makes the kernel reap children itself).
WaitResult WaitUntil(pid_t pid, Clock::time_point deadline, int& status) {
  while (true) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return WaitResult::kReaped;
    if (done < 0 && errno != EINTR) return WaitResult::kLost;
    if (Clock::now() >= deadline) return WaitResult::kTimedOut;
    usleep(500);
  }
}

void KillAndReap(pid_t pid) {
  kill(-pid, SIGKILL);  // the child's process group
  kill(pid, SIGKILL);   // in case it had not reached setpgid yet
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

std::string ChildOutcome::Describe() const {
  switch (kind) {
    case Kind::kReturned:
      return absl::StrCat("returned ", payload.size(), " bytes");
    case Kind::kCrashed:
      return absl::StrCat("crashed: signal ", signal, " (", strsignal(signal),
                          ")");
    case Kind::kTimedOut:
      return absl::StrFormat("timed out after %.2f s (killed)", seconds);
    case Kind::kExited:
      return absl::StrCat("exited with code ", exit_code, " before returning");
  }
  return "?";
}

absl::StatusOr<ChildOutcome> RunInChildProcess(
    const std::function<std::string()>& fn, absl::Duration timeout) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return absl::UnavailableError(
        absl::StrCat("pipe for a child process: ", strerror(errno)));
  }
  const pid_t parent = getpid();
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline =
      start + std::chrono::nanoseconds(absl::ToInt64Nanoseconds(timeout));
  pid_t pid = fork();
  if (pid < 0) {
    int error = errno;
    close(fds[0]);
    close(fds[1]);
    return absl::UnavailableError(
        absl::StrCat("fork for a child process: ", strerror(error)));
  }
  if (pid == 0) {
    close(fds[0]);
    RunChild(fn, fds[1], parent);
  }
  close(fds[1]);
  // Also from the parent side, so that kill(-pid) reaches the group even if
  // the child has not run setpgid yet (one of the two calls wins the race).
  setpgid(pid, pid);

  ChildOutcome outcome;
  std::string bytes;
  int status = 0;
  WaitResult waited = ReadUntilEof(fds[0], deadline, bytes)
                          ? WaitUntil(pid, deadline, status)
                          : WaitResult::kTimedOut;
  close(fds[0]);
  outcome.seconds =
      std::chrono::duration<double>(Clock::now() - start).count();
  if (waited == WaitResult::kTimedOut) {
    KillAndReap(pid);
    outcome.kind = ChildOutcome::Kind::kTimedOut;
    return outcome;
  }
  if (waited == WaitResult::kReaped && WIFSIGNALED(status)) {
    outcome.kind = ChildOutcome::Kind::kCrashed;
    outcome.signal = WTERMSIG(status);
    return outcome;
  }
  // kLost: the exit status is unknown, so only a complete result counts.
  outcome.exit_code = waited == WaitResult::kLost ? -1
                      : WIFEXITED(status)         ? WEXITSTATUS(status)
                                                  : -1;
  uint64_t size = 0;
  bool clean_exit = outcome.exit_code == 0 || waited == WaitResult::kLost;
  if (clean_exit && bytes.size() >= sizeof(size)) {
    std::memcpy(&size, bytes.data(), sizeof(size));
    if (bytes.size() - sizeof(size) == size) {
      outcome.kind = ChildOutcome::Kind::kReturned;
      outcome.exit_code = 0;
      outcome.payload = bytes.substr(sizeof(size));
      return outcome;
    }
  }
  outcome.kind = ChildOutcome::Kind::kExited;
  return outcome;
}

}  // namespace kiln::runtime

// Runs a function in a forked child process, with a deadline, and brings
// back the bytes it returns — or says how the child died.
//
// Candidate kernels are generated code: a bad schedule or a codegen bug can
// segfault, abort or spin forever. The measuring side runs each candidate in
// a child so that none of this reaches the tuner: a crash comes back as
// kCrashed with the signal, a hang as kTimedOut after the child (and its
// process group) has been killed with SIGKILL. The parent never dies
// because of the child.
//
// fork() copies only the calling thread. If other threads of the parent held
// a lock at that moment (a logging mutex, an allocator arena, an OpenMP pool
// lock, the JIT's locks), the child sees it locked forever. So `fn` should do
// little beyond what the child needs: run an already JIT-compiled kernel on
// buffers allocated before the fork, time it, and serialize the result.
// glibc's malloc is made fork-safe by its own atfork handlers; glog, xgboost
// and LLVM are not guaranteed to be. A child that deadlocks nonetheless is
// caught by the deadline and reported as kTimedOut, never as a hang.
//
// The child never returns into the caller's code: after `fn` it writes the
// result and calls _exit(), so no atexit handlers, static destructors or
// stdio buffers of the parent run twice.
#ifndef KILN_RUNTIME_ISOLATED_PROCESS_H_
#define KILN_RUNTIME_ISOLATED_PROCESS_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace kiln::runtime {

struct ChildOutcome {
  enum class Kind {
    kReturned,  // fn returned; payload holds its result
    kCrashed,   // killed by `signal` (SIGSEGV, SIGABRT, SIGFPE, ...)
    kTimedOut,  // still running at the deadline; killed
    kExited,    // exited by itself before returning (exit() in fn, or the
                // result could not be written); see exit_code
  };
  Kind kind = Kind::kReturned;
  std::string payload;
  int signal = 0;
  int exit_code = 0;
  double seconds = 0;  // wall time from fork to the child's end

  // "returned 12 bytes", "crashed: signal 11 (Segmentation fault)",
  // "timed out after 0.50 s (killed)", "exited with code 3 before returning".
  std::string Describe() const;
};

// Forks, runs `fn` in the child and waits at most `timeout` for it. An error
// status only when the parent could not set the child up (pipe or fork
// failed); everything the child does is reported in ChildOutcome.
absl::StatusOr<ChildOutcome> RunInChildProcess(
    const std::function<std::string()>& fn, absl::Duration timeout);

}  // namespace kiln::runtime

#endif  // KILN_RUNTIME_ISOLATED_PROCESS_H_

// For tests of distributed tuning: child processes (a redis-server, kiln
// workers) started and stopped by the test itself.
#ifndef KILN_RUNTIME_REMOTE_TESTING_PROCESSES_H_
#define KILN_RUNTIME_REMOTE_TESTING_PROCESSES_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace kiln::remote::testing {

// A running program; killed with SIGKILL if still running when destroyed.
class Process {
 public:
  // argv[0] is looked up on PATH unless it has a slash. Output goes to
  // `log_path` (appended) when given.
  static absl::StatusOr<std::unique_ptr<Process>> Start(const std::vector<std::string>& argv,
                                                        const std::string& log_path = "");
  ~Process();
  void Signal(int sig);
  // Waits for the exit; the exit code, or 128 + signal.
  int Wait();
  bool Running();
  pid_t pid() const { return pid_; }

 private:
  explicit Process(pid_t pid) : pid_(pid) {}
  pid_t pid_;
  bool reaped_ = false;
  int status_ = 0;
};

// A redis-server on a free loopback port, in a fresh folder, persisting
// nothing (`--save '' --appendonly no`): a restart forgets every stream.
class RedisServer {
 public:
  // `extra_args` go to redis-server as they are (e.g. {"--requirepass", "pw"}).
  static absl::StatusOr<std::unique_ptr<RedisServer>> Start(
      std::vector<std::string> extra_args = {});
  int port() const { return port_; }
  std::string url() const;
  // Stops the server (SIGKILL) and starts a new, empty one on the same port.
  absl::Status Restart();
  void Stop();

 private:
  absl::Status Launch();
  int port_ = 0;
  std::string dir_;
  std::vector<std::string> extra_args_;
  std::unique_ptr<Process> process_;
};

// A port nothing listens on now.
absl::StatusOr<int> FreeLoopbackPort();

}  // namespace kiln::remote::testing

#endif  // KILN_RUNTIME_REMOTE_TESTING_PROCESSES_H_

#include "runtime/remote/testing/processes.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "runtime/remote/redis_client.h"

extern char** environ;

namespace kiln::remote::testing {

absl::StatusOr<std::unique_ptr<Process>> Process::Start(const std::vector<std::string>& argv,
                                                        const std::string& log_path) {
  std::vector<char*> raw;
  std::vector<std::string> copy = argv;
  for (std::string& a : copy) raw.push_back(a.data());
  raw.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!log_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
  }
  pid_t pid;
  const int err = posix_spawnp(&pid, raw[0], &actions, nullptr, raw.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) {
    return absl::FailedPreconditionError(absl::StrCat("cannot start ", argv[0], ": ", strerror(err)));
  }
  return std::unique_ptr<Process>(new Process(pid));
}

Process::~Process() {
  if (!reaped_) {
    kill(pid_, SIGKILL);
    Wait();
  }
}

void Process::Signal(int sig) {
  if (!reaped_) kill(pid_, sig);
}

int Process::Wait() {
  if (!reaped_) {
    while (waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
  }
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  return 128 + (WIFSIGNALED(status_) ? WTERMSIG(status_) : 0);
}

bool Process::Running() {
  if (reaped_) return false;
  if (waitpid(pid_, &status_, WNOHANG) == pid_) reaped_ = true;
  return !reaped_;
}

absl::StatusOr<int> FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  close(fd);
  if (!ok) return absl::InternalError("cannot bind a loopback port");
  return static_cast<int>(ntohs(addr.sin_port));
}

std::string RedisServer::url() const { return absl::StrCat("redis://127.0.0.1:", port_); }

absl::StatusOr<std::unique_ptr<RedisServer>> RedisServer::Start(
    std::vector<std::string> extra_args) {
  std::unique_ptr<RedisServer> server(new RedisServer());
  server->extra_args_ = std::move(extra_args);
  const char* tmp = std::getenv("TEST_TMPDIR");
  server->dir_ = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/redis_XXXXXX");
  if (mkdtemp(server->dir_.data()) == nullptr) {
    return absl::InternalError("cannot create the server's folder");
  }
  auto port = FreeLoopbackPort();
  if (!port.ok()) return port.status();
  server->port_ = *port;
  if (auto st = server->Launch(); !st.ok()) return st;
  return server;
}

absl::Status RedisServer::Launch() {
  std::vector<std::string> argv = {"redis-server", "--port", absl::StrCat(port_), "--bind",
                                   "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir_};
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  auto process = Process::Start(argv, dir_ + "/redis.log");
  if (!process.ok()) return process.status();
  process_ = *std::move(process);
  RedisClient::Options o;
  o.reconnect_timeout = absl::Seconds(10);
  auto client = RedisClient::Connect(*ParseBrokerUrl(url()), o);
  if (!client.ok()) return client.status();
  // Up, even if it wants a password first; and ours, not a server that
  // took the port first (ours would have exited).
  auto pong = (*client)->Command({"PING"});
  if (!process_->Running()) {
    return absl::UnavailableError(absl::StrCat("redis-server exited; see ", dir_, "/redis.log"));
  }
  if (!pong.ok() && absl::StrContains(pong.status().message(), "NOAUTH")) return absl::OkStatus();
  return pong.status();
}

void RedisServer::Stop() {
  if (process_ != nullptr) {
    process_->Signal(SIGKILL);
    process_->Wait();
    process_.reset();
  }
}

absl::Status RedisServer::Restart() {
  Stop();
  return Launch();
}

}  // namespace kiln::remote::testing

// A connection to the Redis broker of distributed tuning (hiredis), which
// comes back by itself after the broker restarts or the network drops.
//
// A command that fails on the connection returns Unavailable; the next one
// reconnects first, retrying with exponential back-off (50 ms doubling to
// 2 s) until the reconnect timeout passes. Callers learn that they are on a
// new connection from generation(), and then redo what a restarted broker
// forgot (its streams and groups live in memory).
#ifndef KILN_RUNTIME_REMOTE_REDIS_CLIENT_H_
#define KILN_RUNTIME_REMOTE_REDIS_CLIENT_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

struct redisContext;

namespace kiln::remote {

// redis://[user:password@]host:port (user and password: a Redis 6+ ACL
// user, or an empty user for the legacy requirepass password).
struct BrokerAddress {
  std::string host;
  int port = 6379;
  std::string user;
  std::string password;

  // "redis://host:port", without credentials (for messages and logs).
  std::string ToString() const;
};

// InvalidArgument naming the expected form for anything else.
absl::StatusOr<BrokerAddress> ParseBrokerUrl(absl::string_view url);

// A reply as plain values (Redis errors become a non-OK status instead).
struct RedisReply {
  enum class Type { kNil, kString, kInteger, kArray };
  Type type = Type::kNil;
  std::string str;  // kString (also status replies such as "OK")
  long long integer = 0;
  std::vector<RedisReply> elements;  // kArray
};

class RedisClient {
 public:
  struct Options {
    absl::Duration connect_timeout = absl::Seconds(2);
    // Longest wait for a reply; commands that block (XREAD BLOCK) must ask
    // for less.
    absl::Duration io_timeout = absl::Seconds(10);
    absl::Duration reconnect_timeout = absl::Seconds(60);
    // When set and true, reconnecting gives up at once (a stopping worker).
    const std::atomic<bool>* stop = nullptr;
  };

  // Connects (with back-off, like a reconnect); Unavailable if the broker
  // cannot be reached within the reconnect timeout, PermissionDenied if it
  // refuses the credentials.
  static absl::StatusOr<std::unique_ptr<RedisClient>> Connect(const BrokerAddress& address,
                                                              const Options& options);
  static absl::StatusOr<std::unique_ptr<RedisClient>> Connect(const BrokerAddress& address) {
    return Connect(address, Options());
  }
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Runs one command (arguments are binary-safe). A Redis error reply is
  // FailedPrecondition with Redis' message; a lost connection Unavailable.
  absl::StatusOr<RedisReply> Command(const std::vector<std::string>& args);

  // Reconnects now if the connection was lost (with back-off, as Connect).
  absl::Status EnsureConnected();

  // Incremented by every successful (re)connection.
  int generation() const { return generation_; }
  const BrokerAddress& address() const { return address_; }

 private:
  RedisClient(BrokerAddress address, Options options)
      : address_(std::move(address)), options_(options) {}
  absl::Status ConnectOnce();
  void Disconnect();

  const BrokerAddress address_;
  const Options options_;
  redisContext* context_ = nullptr;
  int generation_ = 0;
};

}  // namespace kiln::remote

#endif  // KILN_RUNTIME_REMOTE_REDIS_CLIENT_H_

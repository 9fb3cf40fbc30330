#include "runtime/remote/redis_client.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace kiln::remote {
namespace {

RedisReply Convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      break;
  }
  return out;
}

}  // namespace

std::string BrokerAddress::ToString() const { return absl::StrCat("redis://", host, ":", port); }

absl::StatusOr<BrokerAddress> ParseBrokerUrl(absl::string_view url) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "broker URL '", url, "' ", why, "; expected redis://[user:password@]host:port"));
  };
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "redis://")) return bad("does not start with redis://");
  BrokerAddress a;
  if (size_t at = rest.rfind('@'); at != absl::string_view::npos) {
    absl::string_view credentials = rest.substr(0, at);
    rest.remove_prefix(at + 1);
    size_t colon = credentials.find(':');
    if (colon == absl::string_view::npos) return bad("has credentials without a password");
    a.user = std::string(credentials.substr(0, colon));
    a.password = std::string(credentials.substr(colon + 1));
  }
  absl::ConsumeSuffix(&rest, "/");
  size_t colon = rest.rfind(':');
  if (colon == absl::string_view::npos) return bad("has no port");
  a.host = std::string(rest.substr(0, colon));
  if (a.host.empty()) return bad("has no host");
  if (!absl::SimpleAtoi(rest.substr(colon + 1), &a.port) || a.port < 1 || a.port > 65535) {
    return bad("has a port that is not a number from 1 to 65535");
  }
  return a;
}

absl::StatusOr<std::unique_ptr<RedisClient>> RedisClient::Connect(const BrokerAddress& address,
                                                                  const Options& options) {
  std::unique_ptr<RedisClient> client(new RedisClient(address, options));
  if (auto st = client->EnsureConnected(); !st.ok()) return st;
  return client;
}

RedisClient::~RedisClient() { Disconnect(); }

void RedisClient::Disconnect() {
  if (context_ != nullptr) redisFree(context_);
  context_ = nullptr;
}

absl::Status RedisClient::ConnectOnce() {
  context_ = redisConnectWithTimeout(address_.host.c_str(), address_.port,
                                     absl::ToTimeval(options_.connect_timeout));
  if (context_ == nullptr || context_->err != 0) {
    std::string why = context_ != nullptr ? context_->errstr : "out of memory";
    Disconnect();
    return absl::UnavailableError(why);
  }
  redisSetTimeout(context_, absl::ToTimeval(options_.io_timeout));
  redisEnableKeepAlive(context_);
  if (!address_.password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!address_.user.empty()) auth.push_back(address_.user);
    auth.push_back(address_.password);
    auto reply = Command(auth);
    if (!reply.ok()) {
      Disconnect();
      if (absl::IsUnavailable(reply.status())) return reply.status();
      return absl::PermissionDeniedError(absl::StrCat(
          "the broker ", address_.ToString(), " refused the credentials: ", reply.status().message()));
    }
  }
  ++generation_;
  return absl::OkStatus();
}

absl::Status RedisClient::EnsureConnected() {
  if (context_ != nullptr) return absl::OkStatus();
  const absl::Time deadline = absl::Now() + options_.reconnect_timeout;
  absl::Duration backoff = absl::Milliseconds(50);
  while (true) {
    absl::Status st = ConnectOnce();
    if (st.ok() || absl::IsPermissionDenied(st)) return st;
    const bool stopping = options_.stop != nullptr && options_.stop->load();
    if (stopping || absl::Now() + backoff > deadline) {
      return absl::UnavailableError(absl::StrCat(
          "cannot reach the broker ", address_.ToString(), " (", st.message(), ") within ",
          absl::FormatDuration(options_.reconnect_timeout)));
    }
    absl::SleepFor(backoff);
    backoff = std::min(2 * backoff, absl::Seconds(2));
  }
}

absl::StatusOr<RedisReply> RedisClient::Command(const std::vector<std::string>& args) {
  if (auto st = EnsureConnected(); !st.ok()) return st;
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(context_, static_cast<int>(args.size()), argv.data(), lengths.data()));
  if (reply == nullptr) {
    std::string why = context_->errstr;
    Disconnect();
    return absl::UnavailableError(absl::StrCat("lost the broker ", address_.ToString(), " during ",
                                               args.empty() ? "" : args[0], ": ", why));
  }
  absl::StatusOr<RedisReply> out;
  if (reply->type == REDIS_REPLY_ERROR) {
    out = absl::FailedPreconditionError(absl::StrCat(
        args.empty() ? "" : args[0], " failed on the broker: ", std::string(reply->str, reply->len)));
  } else {
    out = Convert(reply);
  }
  freeReplyObject(reply);
  return out;
}

}  // namespace kiln::remote

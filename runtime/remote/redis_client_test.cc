#include "runtime/remote/redis_client.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/remote/testing/processes.h"

namespace kiln::remote {
namespace {

using ::testing::HasSubstr;

BrokerAddress Address(int port, const std::string& credentials = "") {
  return *ParseBrokerUrl(absl::StrCat("redis://", credentials, "127.0.0.1:", port));
}

TEST(RedisClientTest, PasswordsAndAclUsersComeThroughTheUrl) {
  auto server = testing::RedisServer::Start({"--requirepass", "adminpw"});
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();
  auto admin = RedisClient::Connect(Address(port, ":adminpw@"));
  ASSERT_TRUE(admin.ok()) << admin.status();
  ASSERT_TRUE(
      (*admin)->Command({"ACL", "SETUSER", "tuner", "on", ">tunerpw", "~kiln:*", "+@all"}).ok());
  auto tuner = RedisClient::Connect(Address(port, "tuner:tunerpw@"));
  ASSERT_TRUE(tuner.ok()) << tuner.status();
  EXPECT_TRUE((*tuner)->Command({"SET", "kiln:x", "1"}).ok());
  // The ACL keeps the user to kiln's keys.
  EXPECT_THAT((*tuner)->Command({"SET", "other", "1"}).status().message(), HasSubstr("NOPERM"));
  auto wrong = RedisClient::Connect(Address(port, "tuner:nope@"));
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(wrong.status().message(), HasSubstr("refused the credentials"));
  EXPECT_THAT(wrong.status().message(), ::testing::Not(HasSubstr("nope")));
  auto none = RedisClient::Connect(Address(port));
  ASSERT_TRUE(none.ok());
  EXPECT_THAT((*none)->Command({"PING"}).status().message(), HasSubstr("NOAUTH"));
}

TEST(RedisClientTest, ReconnectsAfterTheBrokerRestarts) {
  auto server = testing::RedisServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  RedisClient::Options o;
  o.reconnect_timeout = absl::Seconds(10);
  auto client = RedisClient::Connect(Address((*server)->port()), o);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ((*client)->generation(), 1);
  ASSERT_TRUE((*client)->Command({"SET", "k", "v"}).ok());
  ASSERT_TRUE((*server)->Restart().ok());
  // The first command finds the connection gone; the next reconnects.
  auto lost = (*client)->Command({"GET", "k"});
  if (!lost.ok()) {
    EXPECT_EQ(lost.status().code(), absl::StatusCode::kUnavailable);
    lost = (*client)->Command({"GET", "k"});
  }
  ASSERT_TRUE(lost.ok()) << lost.status();
  EXPECT_EQ(lost->type, RedisReply::Type::kNil);  // the new broker forgot everything
  EXPECT_EQ((*client)->generation(), 2);
  (*server)->Stop();
  o.reconnect_timeout = absl::Milliseconds(300);
  auto gone = RedisClient::Connect(Address((*server)->port()), o);
  EXPECT_EQ(gone.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(gone.status().message(), HasSubstr("cannot reach the broker"));
}

}  // namespace
}  // namespace kiln::remote

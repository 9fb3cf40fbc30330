#include "runtime/remote/protocol.h"

#include "gtest/gtest.h"

namespace kiln::remote {
namespace {

std::map<std::string, std::string> AsMap(const Fields& fields) {
  return std::map<std::string, std::string>(fields.begin(), fields.end());
}

TEST(ProtocolTest, ParsesBrokerUrls) {
  auto plain = ParseBrokerUrl("redis://10.0.0.5:6380");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->host, "10.0.0.5");
  EXPECT_EQ(plain->port, 6380);
  EXPECT_TRUE(plain->password.empty());
  auto acl = ParseBrokerUrl("redis://tuner:s3cr@t@broker.lan:6379/");
  ASSERT_TRUE(acl.ok()) << acl.status();
  EXPECT_EQ(acl->user, "tuner");
  EXPECT_EQ(acl->password, "s3cr@t");
  EXPECT_EQ(acl->host, "broker.lan");
  EXPECT_EQ(acl->ToString(), "redis://broker.lan:6379");  // no credentials in logs
  for (const char* bad : {"http://h:1", "redis://h", "redis://:1", "redis://h:99999",
                          "redis://user@h:1"}) {
    EXPECT_EQ(ParseBrokerUrl(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ProtocolTest, JobsAndResultsRoundTrip) {
  MeasureJob job;
  job.run_id = "r1";
  job.job_id = 7;
  job.shared_object = std::string("\x7f" "ELF\0\1", 6);
  job.function = "candidate";
  job.buffer_blobs = {"kiln:blob:a:4", "kiln:blob:b:8"};
  job.expected_blob = "kiln:blob:c:8";
  job.weight_buffer = 1;
  job.timing.number = 2;
  job.timing.repeat = 5;
  job.timing.enable_cpu_cache_flush = true;
  job.timeout_s = 0.5;
  job.description = R"({"task": "dense_pack.x86"})";
  auto back = DecodeJob(AsMap(EncodeJob(job)));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->shared_object, job.shared_object);
  EXPECT_EQ(back->buffer_blobs, job.buffer_blobs);
  EXPECT_EQ(back->job_id, 7);
  EXPECT_EQ(back->timing.repeat, 5);
  EXPECT_TRUE(back->timing.enable_cpu_cache_flush);
  EXPECT_DOUBLE_EQ(back->timeout_s, 0.5);
  EXPECT_EQ(back->description, job.description);

  JobResult result{"r1", 7, false, "NO_ERROR", "", {1.25e-5, 3.0000000000000004e-5}, "w"};
  auto r = DecodeResult(AsMap(EncodeResult(result)));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->costs, result.costs);  // exact: costs travel with 17 digits
  EXPECT_EQ(r->worker, "w");

  auto fields = AsMap(EncodeJob(job));
  fields.erase("so");
  EXPECT_EQ(DecodeJob(fields).status().code(), absl::StatusCode::kInvalidArgument);
  fields = AsMap(EncodeJob(job));
  fields["repeat"] = "0";
  EXPECT_FALSE(DecodeJob(fields).ok());
}

TEST(ProtocolTest, BlobKeysFollowContents) {
  std::vector<float> a = {1, 2, 3}, b = {1, 2, 4};
  EXPECT_EQ(BlobKey(a), BlobKey(std::vector<float>{1, 2, 3}));
  EXPECT_NE(BlobKey(a), BlobKey(b));
  EXPECT_NE(BlobKey(a), BlobKey(std::vector<float>{1, 2, 3, 0}));
  auto back = FloatsFromBytes(FloatsToBytes(b));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, b);
  EXPECT_FALSE(FloatsFromBytes("abc").ok());
}

}  // namespace
}  // namespace kiln::remote

#include "runtime/remote/protocol.h"

#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace kiln::remote {
namespace {

// FNV-1a over 8-byte words with a final avalanche (splitmix64): fast on
// megabytes of floats, and blobs are named by size too.
uint64_t Hash64(const char* data, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, data + i, 8);
    h = (h ^ w) * 0x100000001b3ull;
    h ^= h >> 29;
  }
  for (; i < n; ++i) h = (h ^ static_cast<unsigned char>(data[i])) * 0x100000001b3ull;
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

absl::StatusOr<std::string> Field(const std::map<std::string, std::string>& fields,
                                  const std::string& name) {
  auto it = fields.find(name);
  if (it == fields.end()) {
    return absl::InvalidArgumentError(absl::StrCat("the message has no field '", name, "'"));
  }
  return it->second;
}

absl::Status Text(const std::map<std::string, std::string>& fields, const std::string& name,
                  std::string* out) {
  auto v = Field(fields, name);
  if (!v.ok()) return v.status();
  *out = *std::move(v);
  return absl::OkStatus();
}

template <typename T>
absl::Status Number(const std::map<std::string, std::string>& fields, const std::string& name,
                    T* out) {
  auto text = Field(fields, name);
  if (!text.ok()) return text.status();
  bool ok;
  if constexpr (std::is_floating_point_v<T>) {
    ok = absl::SimpleAtod(*text, out);
  } else {
    ok = absl::SimpleAtoi(*text, out);
  }
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("field '", name, "' is '", *text, "', not a number"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string JobStream(absl::string_view device_key) { return absl::StrCat("kiln:jobs:", device_key); }
std::string ReplyStream(absl::string_view run_id) { return absl::StrCat("kiln:replies:", run_id); }
std::string RunKey(absl::string_view run_id) { return absl::StrCat("kiln:run:", run_id); }
std::string WorkersKey(absl::string_view device_key) {
  return absl::StrCat("kiln:workers:", device_key);
}
std::string WorkerInfoKey(absl::string_view device_key) {
  return absl::StrCat("kiln:worker_info:", device_key);
}

std::string BlobKey(const std::vector<float>& data) {
  const size_t bytes = data.size() * sizeof(float);
  return absl::StrFormat("kiln:blob:%016x:%d",
                         Hash64(reinterpret_cast<const char*>(data.data()), bytes), bytes);
}

Fields EncodeJob(const MeasureJob& job) {
  return {
      {"run", job.run_id},
      {"job", absl::StrCat(job.job_id)},
      {"so", job.shared_object},
      {"function", job.function},
      {"buffers", absl::StrJoin(job.buffer_blobs, " ")},
      {"expected", job.expected_blob},
      {"weight_buffer", absl::StrCat(job.weight_buffer)},
      {"number", absl::StrCat(job.timing.number)},
      {"repeat", absl::StrCat(job.timing.repeat)},
      {"min_repeat_ms", absl::StrCat(job.timing.min_repeat_ms)},
      {"flush", job.timing.enable_cpu_cache_flush ? "1" : "0"},
      {"timeout_s", absl::StrCat(job.timeout_s)},
      {"input", job.description},
  };
}

absl::StatusOr<MeasureJob> DecodeJob(const std::map<std::string, std::string>& fields) {
  MeasureJob job;
  auto text = [&](const char* name, std::string* out) { return Text(fields, name, out); };
  std::string buffers, flush;
  for (absl::Status s :
       {text("run", &job.run_id), Number(fields, "job", &job.job_id),
        text("so", &job.shared_object), text("function", &job.function),
        text("buffers", &buffers), text("expected", &job.expected_blob),
        Number(fields, "weight_buffer", &job.weight_buffer),
        Number(fields, "number", &job.timing.number), Number(fields, "repeat", &job.timing.repeat),
        Number(fields, "min_repeat_ms", &job.timing.min_repeat_ms), text("flush", &flush),
        Number(fields, "timeout_s", &job.timeout_s), text("input", &job.description)}) {
    if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat("malformed job: ", s.message()));
  }
  job.buffer_blobs = absl::StrSplit(buffers, ' ', absl::SkipEmpty());
  job.timing.enable_cpu_cache_flush = flush == "1";
  if (auto s = job.timing.Validate(); !s.ok()) return s;
  if (!(job.timeout_s > 0) || job.buffer_blobs.empty()) {
    return absl::InvalidArgumentError("malformed job: no buffers or a timeout that is not positive");
  }
  return job;
}

Fields EncodeResult(const JobResult& r) {
  std::vector<std::string> costs;
  for (double c : r.costs) costs.push_back(absl::StrFormat("%.17g", c));
  return {
      {"run", r.run_id},          {"job", absl::StrCat(r.job_id)},
      {"refused", r.refused ? "1" : "0"},
      {"error", r.error_name},    {"message", r.error_msg},
      {"costs", absl::StrJoin(costs, " ")}, {"worker", r.worker},
  };
}

absl::StatusOr<JobResult> DecodeResult(const std::map<std::string, std::string>& fields) {
  JobResult r;
  std::string refused, costs;
  auto text = [&](const char* name, std::string* out) { return Text(fields, name, out); };
  for (absl::Status s : {text("run", &r.run_id), Number(fields, "job", &r.job_id),
                         text("refused", &refused), text("error", &r.error_name),
                         text("message", &r.error_msg), text("costs", &costs),
                         text("worker", &r.worker)}) {
    if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat("malformed result: ", s.message()));
  }
  r.refused = refused == "1";
  for (absl::string_view c : absl::StrSplit(costs, ' ', absl::SkipEmpty())) {
    double v;
    if (!absl::SimpleAtod(c, &v)) {
      return absl::InvalidArgumentError(absl::StrCat("malformed result: cost '", c, "'"));
    }
    r.costs.push_back(v);
  }
  return r;
}

absl::StatusOr<std::string> AddToStream(RedisClient& client, const std::string& stream,
                                        const Fields& fields) {
  std::vector<std::string> args = {"XADD", stream, "*"};
  for (const auto& [k, v] : fields) {
    args.push_back(k);
    args.push_back(v);
  }
  auto reply = client.Command(args);
  if (!reply.ok()) return reply.status();
  return reply->str;
}

std::vector<StreamEntry> EntriesOfList(const RedisReply& list) {
  std::vector<StreamEntry> out;
  for (const RedisReply& e : list.elements) {
    if (e.elements.size() != 2 || e.elements[1].type != RedisReply::Type::kArray) continue;
    StreamEntry entry{e.elements[0].str, {}};
    const auto& kv = e.elements[1].elements;
    for (size_t i = 0; i + 1 < kv.size(); i += 2) entry.fields[kv[i].str] = kv[i + 1].str;
    out.push_back(std::move(entry));
  }
  return out;
}

std::vector<StreamEntry> EntriesOfRead(const RedisReply& reply) {
  // [[stream, [[id, [k, v, ...]], ...]]], or nil when nothing came.
  if (reply.elements.empty() || reply.elements[0].elements.size() != 2) return {};
  return EntriesOfList(reply.elements[0].elements[1]);
}

absl::Status EnsureJobGroup(RedisClient& client, absl::string_view device_key) {
  auto reply =
      client.Command({"XGROUP", "CREATE", JobStream(device_key), kWorkerGroup, "0", "MKSTREAM"});
  if (!reply.ok() && !absl::StrContains(reply.status().message(), "BUSYGROUP")) {
    return reply.status();
  }
  return absl::OkStatus();
}

std::string FloatsToBytes(const std::vector<float>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

absl::StatusOr<std::vector<float>> FloatsFromBytes(absl::string_view bytes) {
  if (bytes.size() % sizeof(float) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("a buffer of ", bytes.size(), " bytes is not a whole number of floats"));
  }
  std::vector<float> v(bytes.size() / sizeof(float));
  std::memcpy(v.data(), bytes.data(), bytes.size());
  return v;
}

}  // namespace kiln::remote

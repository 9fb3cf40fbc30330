#include "runtime/remote/worker.h"

#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "glog/logging.h"
#include "runtime/remote/protocol.h"
#include "runtime/cpu_features.h"
#include "runtime/kernel_check.h"
#include "runtime/module.h"

namespace kiln::remote {
namespace {

std::vector<std::string> AvailableFeatures(const std::vector<std::string>& masked) {
  std::vector<std::string> out;
  for (const std::string& f : runtime::HostFeatures()) {
    if (std::find(masked.begin(), masked.end(), f) == masked.end()) out.push_back(f);
  }
  return out;
}

std::string DefaultName() {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return absl::StrCat(host, ":", getpid());
}

double UnixSeconds() { return absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()); }

// Buffers by blob key; cleared when it would hold more than a few hundred
// MB (a tuning task's candidates share a handful of layouts).
class BlobCache {
 public:
  absl::StatusOr<std::shared_ptr<const std::vector<float>>> Get(RedisClient& client,
                                                                const std::string& key) {
    if (auto it = blobs_.find(key); it != blobs_.end()) return it->second;
    auto reply = client.Command({"GET", key});
    if (!reply.ok()) return reply.status();
    if (reply->type != RedisReply::Type::kString) {
      return absl::NotFoundError(absl::StrCat("buffer ", key, " is not on the broker"));
    }
    auto floats = FloatsFromBytes(reply->str);
    if (!floats.ok()) return floats.status();
    if (bytes_ + reply->str.size() > kMaxBytes) {
      blobs_.clear();
      bytes_ = 0;
    }
    bytes_ += reply->str.size();
    auto blob = std::make_shared<const std::vector<float>>(*std::move(floats));
    blobs_[key] = blob;
    return blob;
  }

 private:
  static constexpr size_t kMaxBytes = size_t{512} << 20;
  std::map<std::string, std::shared_ptr<const std::vector<float>>> blobs_;
  size_t bytes_ = 0;
};

// The shared object in a temporary file for dlopen, removed once loaded.
absl::StatusOr<std::unique_ptr<runtime::Module>> LoadSharedObject(const std::string& bytes) {
  const char* tmp = std::getenv("TMPDIR");
  std::string path = absl::StrCat(tmp != nullptr && *tmp ? tmp : "/tmp", "/kiln_job_XXXXXX");
  const int fd = mkstemp(path.data());
  if (fd < 0) return absl::InternalError(absl::StrCat("cannot create ", path));
  const bool written = write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  close(fd);
  auto module = written ? runtime::Module::Load(path)
                        : absl::InternalError(absl::StrCat("cannot write ", path));
  unlink(path.c_str());
  return module;
}

// Keeps the worker's heartbeat and, while a job is measured, its claim on
// it, on a connection of its own.
class Heartbeat {
 public:
  Heartbeat(const WorkerOptions& options, std::string name)
      : options_(options), name_(std::move(name)), thread_([this] { Loop(); }) {}
  ~Heartbeat() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  void SetJob(const std::string& entry_id) {
    std::lock_guard<std::mutex> lock(mu_);
    entry_id_ = entry_id;
  }

 private:
  void Loop() {
    RedisClient::Options o;
    o.reconnect_timeout = options_.lease / 3;
    std::unique_ptr<RedisClient> client;
    std::unique_lock<std::mutex> lock(mu_);
    while (!done_) {
      const std::string entry = entry_id_;
      lock.unlock();
      if (client == nullptr) {
        auto c = RedisClient::Connect(options_.broker, o);
        if (c.ok()) client = *std::move(c);
      }
      if (client != nullptr) {
        (void)client->Command({"ZADD", WorkersKey(options_.device_key),
                               absl::StrCat(UnixSeconds()), name_});
        if (!entry.empty()) {
          (void)client->Command({"XCLAIM", JobStream(options_.device_key), kWorkerGroup, name_,
                                 "0", entry, "JUSTID"});
        }
      }
      lock.lock();
      wake_.wait_for(lock, absl::ToChronoMilliseconds(options_.lease / 3), [&] { return done_; });
    }
  }

  const WorkerOptions& options_;
  const std::string name_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool done_ = false;
  std::string entry_id_;
  std::thread thread_;
};

class Worker {
 public:
  Worker(const WorkerOptions& options, std::unique_ptr<RedisClient> client)
      : options_(options),
        name_(options.name.empty() ? DefaultName() : options.name),
        features_(AvailableFeatures(options.masked_features)),
        client_(std::move(client)) {}

  absl::Status Run() {
    Heartbeat heartbeat(options_, name_);
    while (!Stopping()) {
      if (joined_ != client_->generation()) {
        if (absl::Status st = Join(); !st.ok()) {
          // Anything but a lost connection (e.g. an ACL user that may not
          // use streams) will not get better by retrying.
          if (!absl::IsUnavailable(st)) return st;
          if (absl::Status again = Recover(st); !again.ok()) return again;
          continue;
        }
        joined_ = client_->generation();
      }
      absl::StatusOr<std::optional<StreamEntry>> entry = Next();
      if (!entry.ok()) {
        if (absl::Status again = Recover(entry.status()); !again.ok()) return again;
        continue;
      }
      if (!entry->has_value()) continue;
      heartbeat.SetJob((*entry)->id);
      absl::Status st = Handle(**entry);
      heartbeat.SetJob("");
      if (!st.ok()) {
        if (absl::Status again = Recover(st); !again.ok()) return again;
      }
    }
    (void)client_->Command({"ZREM", WorkersKey(options_.device_key), name_});
    (void)client_->Command({"HDEL", WorkerInfoKey(options_.device_key), name_});
    LOG(INFO) << "worker " << name_ << " stopped after " << measured_ << " jobs";
    return absl::OkStatus();
  }

 private:
  bool Stopping() const { return options_.stop != nullptr && options_.stop->load(); }

  // A lost connection is waited out (with back-off); anything else is logged
  // and the loop goes on after a second, joining again (the stream or its
  // group may have been deleted), since one bad job must not end the worker.
  absl::Status Recover(const absl::Status& st) {
    if (!absl::IsUnavailable(st)) {
      LOG(WARNING) << st;
      joined_ = -1;
      if (!Stopping()) absl::SleepFor(absl::Seconds(1));
      return absl::OkStatus();
    }
    LOG(WARNING) << st << "; reconnecting";
    return Stopping() ? absl::OkStatus() : client_->EnsureConnected();
  }

  absl::Status Join() {
    if (auto st = EnsureJobGroup(*client_, options_.device_key); !st.ok()) return st;
    const std::string cpu = DescribeWorkerCpu(options_.masked_features);
    for (const std::vector<std::string>& cmd :
         {std::vector<std::string>{"HSET", WorkerInfoKey(options_.device_key), name_, cpu},
          std::vector<std::string>{"ZADD", WorkersKey(options_.device_key),
                                   absl::StrCat(UnixSeconds()), name_}}) {
      if (auto reply = client_->Command(cmd); !reply.ok()) return reply.status();
    }
    LOG(INFO) << "worker " << name_ << " joined " << client_->address().ToString()
              << " for device key '" << options_.device_key << "': " << cpu;
    return absl::OkStatus();
  }

  // A job another worker left pending for longer than the lease, else a new
  // one (waiting at most a second, so that a stop request is seen).
  absl::StatusOr<std::optional<StreamEntry>> Next() {
    const std::string stream = JobStream(options_.device_key);
    auto claimed = client_->Command({"XAUTOCLAIM", stream, kWorkerGroup, name_,
                                     absl::StrCat(absl::ToInt64Milliseconds(options_.lease)),
                                     "0-0", "COUNT", "1"});
    if (!claimed.ok()) return claimed.status();
    if (claimed->elements.size() >= 2) {
      std::vector<StreamEntry> entries = EntriesOfList(claimed->elements[1]);
      if (!entries.empty()) {
        LOG(INFO) << "claimed job " << entries[0].id << " from a worker silent for the lease";
        auto pending = client_->Command({"XPENDING", stream, kWorkerGroup, entries[0].id,
                                         entries[0].id, "1"});
        if (!pending.ok()) return pending.status();
        // [[id, consumer, idle ms, deliveries]]
        claimed_deliveries_ = pending->elements.empty() || pending->elements[0].elements.size() < 4
                                  ? 0
                                  : pending->elements[0].elements[3].integer;
        return std::optional<StreamEntry>(std::move(entries[0]));
      }
    }
    claimed_deliveries_ = 0;
    auto read = client_->Command({"XREADGROUP", "GROUP", kWorkerGroup, name_, "COUNT", "1",
                                  "BLOCK", "1000", "STREAMS", stream, ">"});
    if (!read.ok()) return read.status();
    std::vector<StreamEntry> entries = EntriesOfRead(*read);
    if (entries.empty()) return std::optional<StreamEntry>();
    return std::optional<StreamEntry>(std::move(entries[0]));
  }

  // Measures (or refuses, or drops) one job, replies, then acknowledges and
  // deletes it: a worker dying before the acknowledgement leaves the job to
  // be claimed again, and the host keeps the first result of each job.
  absl::Status Handle(const StreamEntry& entry) {
    const std::string stream = JobStream(options_.device_key);
    auto done = [&]() -> absl::Status {
      for (const char* cmd : {"XACK", "XDEL"}) {
        std::vector<std::string> args = {cmd, stream};
        if (std::string(cmd) == "XACK") args.push_back(kWorkerGroup);
        args.push_back(entry.id);
        if (auto reply = client_->Command(args); !reply.ok()) return reply.status();
      }
      return absl::OkStatus();
    };
    auto job = DecodeJob(entry.fields);
    if (!job.ok()) {
      LOG(WARNING) << "dropping job " << entry.id << ": " << job.status();
      return done();
    }
    auto alive = client_->Command({"EXISTS", RunKey(job->run_id)});
    if (!alive.ok()) return alive.status();
    if (alive->integer == 0) {
      VLOG(1) << "dropping job " << job->job_id << " of run " << job->run_id
              << ": its tuning host is gone";
      return done();
    }
    VLOG(1) << "measuring job " << job->job_id << " of run " << job->run_id << ": "
            << job->description;
    // A job whose workers keep dying (a kernel that passes its checking run
    // but crashes the worker while timed) is not passed on forever.
    auto result = claimed_deliveries_ > kMaxDeliveries ? Poisoned(*job) : Measure(*job);
    if (!result.ok()) return result.status();
    const Fields reply = EncodeResult(*result);
    auto sent = AddToStream(*client_, ReplyStream(job->run_id), reply);
    if (!sent.ok() && absl::IsUnavailable(sent.status())) {
      // The broker came back (or the network did): the result still counts.
      if (auto st = client_->EnsureConnected(); !st.ok()) return st;
      sent = AddToStream(*client_, ReplyStream(job->run_id), reply);
    }
    if (!sent.ok()) return sent.status();
    (void)client_->Command({"EXPIRE", ReplyStream(job->run_id), "3600"});
    ++measured_;
    return done();
  }

  absl::StatusOr<JobResult> Measure(const MeasureJob& job) {
    JobResult r;
    r.run_id = job.run_id;
    r.job_id = job.job_id;
    r.worker = name_;
    auto fail = [&](runtime::KernelCheckError error, absl::string_view why) {
      r.error_name = std::string(runtime::KernelCheckErrorName(error));
      r.error_msg = std::string(why);
      return r;
    };
    auto module = LoadSharedObject(job.shared_object);
    if (!module.ok()) {
      if (absl::IsFailedPrecondition(module.status())) return Refuse(r, module.status().message());
      return fail(runtime::KernelCheckError::kRuntimeDevice, module.status().message());
    }
    std::vector<std::string> lacking;
    for (absl::string_view f :
         absl::StrSplit((*module)->required_features(), ',', absl::SkipWhitespace())) {
      f = absl::StripPrefix(absl::StripAsciiWhitespace(f), "+");
      if (std::find(features_.begin(), features_.end(), f) == features_.end()) {
        lacking.emplace_back(f);
      }
    }
    if (!lacking.empty()) {
      return Refuse(r, absl::StrCat("worker ", name_, " lacks ", absl::StrJoin(lacking, ","),
                                    " for ", job.description));
    }
    std::vector<std::vector<float>> buffers;
    // A lost broker is retried; a blob that is gone fails this measurement.
    for (const std::string& key : job.buffer_blobs) {
      auto blob = blobs_.Get(*client_, key);
      if (absl::IsUnavailable(blob.status())) return blob.status();
      if (!blob.ok()) return fail(runtime::KernelCheckError::kUnknownError, blob.status().message());
      buffers.push_back(**blob);
    }
    auto expected = blobs_.Get(*client_, job.expected_blob);
    if (absl::IsUnavailable(expected.status())) return expected.status();
    if (!expected.ok()) {
      return fail(runtime::KernelCheckError::kUnknownError, expected.status().message());
    }
    if (options_.simulate > absl::ZeroDuration()) {
      absl::SleepFor(options_.simulate);
      r.costs.assign(job.timing.repeat, absl::ToDoubleSeconds(options_.simulate));
      return r;
    }
    auto kernel = (*module)->GetFunction(job.function);
    if (!kernel.ok()) return fail(runtime::KernelCheckError::kRuntimeDevice, kernel.status().message());
    auto timer = runtime::KernelTimer::Create(job.timing);
    if (!timer.ok()) return fail(runtime::KernelCheckError::kUnknownError, timer.status().message());
    runtime::KernelCheckResult check = runtime::CheckAndTimeKernel(
        *kernel, buffers, **expected, job.weight_buffer, *timer, job.timeout_s);
    r.costs = std::move(check.costs);
    return fail(check.error, check.error_msg);
  }

  absl::StatusOr<JobResult> Poisoned(const MeasureJob& job) {
    JobResult r;
    r.run_id = job.run_id;
    r.job_id = job.job_id;
    r.worker = name_;
    r.error_name = std::string(runtime::KernelCheckErrorName(runtime::KernelCheckError::kRuntimeDevice));
    r.error_msg = absl::StrCat("delivered ", claimed_deliveries_,
                               " times: each worker that took it died while measuring it");
    LOG(WARNING) << "job " << job.job_id << " of run " << job.run_id << ": " << r.error_msg;
    return r;
  }

  JobResult Refuse(JobResult r, absl::string_view why) {
    LOG(WARNING) << "refusing job " << r.job_id << " of run " << r.run_id << ": " << why;
    r.refused = true;
    r.error_msg = std::string(why);
    return r;
  }

  const WorkerOptions& options_;
  const std::string name_;
  const std::vector<std::string> features_;
  std::unique_ptr<RedisClient> client_;
  BlobCache blobs_;
  int joined_ = -1;  // the connection generation the worker joined on
  static constexpr int64_t kMaxDeliveries = 4;  // measuring attempts per job
  int64_t claimed_deliveries_ = 0;  // of the job in hand when claimed, else 0
  int64_t measured_ = 0;
};

}  // namespace

std::string DescribeWorkerCpu(const std::vector<std::string>& masked) {
  std::string out = absl::StrCat(runtime::HostCpuName(), "; features: ",
                                 absl::StrJoin(AvailableFeatures(masked), ","));
  if (!masked.empty()) absl::StrAppend(&out, " (masked: ", absl::StrJoin(masked, ","), ")");
  return out;
}

absl::Status RunWorker(const WorkerOptions& options) {
  if (options.device_key.empty()) return absl::InvalidArgumentError("no device key");
  if (options.lease < absl::Milliseconds(100)) {
    return absl::InvalidArgumentError("the lease must be at least 0.1 s");
  }
  for (const std::string& f : options.masked_features) {
    if (!runtime::IsKnownCpuFeature(f)) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown CPU feature '", f, "' to mask; known features: ",
                       absl::StrJoin(runtime::KnownCpuFeatures(), ",")));
    }
  }
  RedisClient::Options o;
  o.reconnect_timeout = options.reconnect_timeout;
  o.stop = options.stop;
  auto client = RedisClient::Connect(options.broker, o);
  if (!client.ok()) return client.status();
  return Worker(options, *std::move(client)).Run();
}

}  // namespace kiln::remote

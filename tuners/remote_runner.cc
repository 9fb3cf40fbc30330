#include "tuners/remote_runner.h"

#include <map>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "runtime/remote/protocol.h"
#include "runtime/remote/redis_client.h"
#include "tuners/builder.h"
#include "tuners/kernel_measure.h"
#include "tuners/measure_input.h"

namespace kiln::tuners {
namespace {

using remote::RedisClient;

double UnixSeconds() { return absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()); }

std::string NewRunId() {
  std::random_device rd;
  return absl::StrFormat("%08x%08x", rd(), rd());
}

// How long the run key outlives its host's last refresh: a killed host's
// queued jobs are dropped by workers after this.
constexpr int kRunKeySeconds = 15;

class RemoteRunner final : public Runner {
 public:
  RemoteRunner(tuning::KernelHarness harness, const MeasureOption& option,
               std::vector<float> expected, const RemoteOptions& remote,
               std::unique_ptr<RedisClient> client)
      : harness_(std::move(harness)),
        option_(option),
        expected_(std::move(expected)),
        remote_(remote),
        client_(std::move(client)),
        run_id_(NewRunId()) {}

  ~RemoteRunner() override {
    (void)client_->Command({"DEL", remote::RunKey(run_id_), remote::ReplyStream(run_id_)});
  }

  absl::StatusOr<std::vector<MeasureResult>> Run(
      const std::vector<MeasureInput>& inputs, const std::vector<BuildResult>& builds) override {
    if (builds.size() != inputs.size()) {
      return absl::InternalError(absl::StrCat(builds.size(), " builds for ", inputs.size(),
                                              " measure inputs"));
    }
    std::vector<MeasureResult> results(inputs.size());
    std::map<int64_t, Pending> pending;
    std::map<std::string, std::string> blobs;  // this batch's buffers by key
    for (size_t k = 0; k < inputs.size(); ++k) {
      MeasureResult& r = results[k];
      if (!builds[k].ok()) {
        r.error_no = builds[k].error_no;
        r.error_msg = builds[k].error_msg;
        r.timestamp = UnixSeconds();
        r.all_cost = builds[k].seconds;
        continue;
      }
      auto data = MakeCandidateData(harness_, inputs[k].config, expected_);
      if (!data.ok()) {
        r.error_no = MeasureErrorNo::kInstantiationError;
        r.error_msg = std::string(data.status().message());
        r.timestamp = UnixSeconds();
        continue;
      }
      remote::MeasureJob job;
      job.run_id = run_id_;
      job.job_id = next_job_id_++;
      job.shared_object = builds[k].shared_object;
      job.function = builds[k].function;
      // Candidates of one layout share their buffers: each is uploaded once.
      auto blob = [&](const std::vector<float>& b) {
        std::string key = remote::BlobKey(b);
        if (!blobs.count(key)) blobs.emplace(key, remote::FloatsToBytes(b));
        return key;
      };
      for (const std::vector<float>& b : data->buffers) job.buffer_blobs.push_back(blob(b));
      job.expected_blob = blob(data->expected);
      job.weight_buffer = harness_.weight_buffer;
      job.timing = option_.timing();
      job.timeout_s = option_.timeout_s;
      if (inputs[k].task != nullptr) job.description = MeasureInputToJson(inputs[k]).Dump();
      Pending& p = pending[job.job_id];
      p.index = k;
      p.build_seconds = builds[k].seconds;
      p.job = std::move(job);
      // Queued at once, so workers start while later candidates are
      // prepared; a lost broker is left to Collect, which reconnects.
      if (auto st = Publish(pending, blobs); !st.ok() && !absl::IsUnavailable(st)) return st;
    }
    if (auto st = Collect(pending, blobs, results); !st.ok()) return st;
    return results;
  }

 private:
  struct Pending {
    size_t index = 0;
    remote::MeasureJob job;
    double build_seconds = 0;
    absl::Time published;
    bool queued = false;  // false: to be queued (again) by the next Publish
    absl::Time refused_at = absl::InfiniteFuture();
  };

  // Uploads the buffers the broker may lack and queues the jobs not queued
  // yet (or refused). On a new connection (the broker may have restarted and forgotten
  // everything) every unanswered job is queued again.
  absl::Status Publish(std::map<int64_t, Pending>& pending,
                       const std::map<std::string, std::string>& blobs) {
    const bool reconnected = published_generation_ != client_->generation();
    if (reconnected) {
      if (auto st = remote::EnsureJobGroup(*client_, remote_.device_key); !st.ok()) return st;
      uploaded_.clear();
      published_generation_ = client_->generation();
    }
    if (auto st = RefreshRunKey(); !st.ok()) return st;
    // Buffers live ten minutes on the broker past their last use, so the
    // broker holds only the layouts of tasks being tuned: each is kept alive
    // (EXPIRE) at most once a minute while in use, and sent again only when
    // it is gone (another run's buffer may have expired, or never existed).
    const absl::Time now = absl::Now();
    for (const auto& [key, bytes] : blobs) {
      auto it = uploaded_.find(key);
      if (it != uploaded_.end() && now - it->second < absl::Minutes(1)) continue;
      auto kept = client_->Command({"EXPIRE", key, "600"});
      if (!kept.ok()) return kept.status();
      if (kept->integer == 0) {
        auto sent = client_->Command({"SET", key, bytes, "EX", "600"});
        if (!sent.ok()) return sent.status();
      }
      uploaded_[key] = now;
    }
    for (auto& [id, p] : pending) {
      if (p.queued && !reconnected) continue;
      auto added = remote::AddToStream(*client_, remote::JobStream(remote_.device_key),
                                       remote::EncodeJob(p.job));
      if (!added.ok()) return added.status();
      if (!p.queued) p.published = now;
      p.queued = true;
    }
    return absl::OkStatus();
  }

  absl::Status RefreshRunKey() {
    auto reply =
        client_->Command({"SET", remote::RunKey(run_id_), "1", "EX", absl::StrCat(kRunKeySeconds)});
    return reply.status();
  }

  absl::Status Collect(std::map<int64_t, Pending>& pending,
                       const std::map<std::string, std::string>& blobs,
                       std::vector<MeasureResult>& results) {
    const absl::Duration patience = absl::Seconds(remote_.worker_timeout_s);
    absl::Time last_progress = absl::Now();
    std::map<std::string, std::string> refusals;  // worker -> why
    while (!pending.empty()) {
      if (absl::Now() - last_progress > patience) return NoProgress(refusals);
      absl::Status st = CollectOnce(pending, blobs, results, refusals, last_progress);
      if (absl::IsUnavailable(st)) {
        st = client_->EnsureConnected();  // with back-off
        if (st.ok()) continue;            // the next round re-queues
      }
      if (!st.ok()) return st;
    }
    return absl::OkStatus();
  }

  absl::Status CollectOnce(std::map<int64_t, Pending>& pending,
                           const std::map<std::string, std::string>& blobs,
                           std::vector<MeasureResult>& results,
                           std::map<std::string, std::string>& refusals,
                           absl::Time& last_progress) {
    const absl::Time now = absl::Now();
    for (auto& [id, p] : pending) {
      if (p.refused_at + absl::Milliseconds(500) < now) {
        p.queued = false;
        p.refused_at = absl::InfiniteFuture();
      }
    }
    if (auto st = Publish(pending, blobs); !st.ok()) return st;
    const std::string stream = remote::ReplyStream(run_id_);
    auto read = client_->Command(
        {"XREAD", "COUNT", "64", "BLOCK", "500", "STREAMS", stream, last_reply_id_});
    if (!read.ok()) return read.status();
    for (remote::StreamEntry& entry : remote::EntriesOfRead(*read)) {
      last_reply_id_ = entry.id;
      auto result = remote::DecodeResult(entry.fields);
      if (!result.ok() || result->run_id != run_id_) continue;  // not this run's
      auto it = pending.find(result->job_id);
      if (it == pending.end()) continue;  // answered already (a job delivered twice)
      Pending& p = it->second;
      if (result->refused) {
        refusals[result->worker] = result->error_msg;
        p.refused_at = absl::Now();
        continue;
      }
      MeasureResult& r = results[p.index];
      auto error = ParseMeasureErrorName(result->error_name);
      r.error_no = error.ok() ? *error : MeasureErrorNo::kUnknownError;
      r.error_msg = result->error_msg;
      r.costs = std::move(result->costs);
      if (r.error_no != MeasureErrorNo::kNoError) r.costs.clear();
      r.timestamp = UnixSeconds();
      r.all_cost = p.build_seconds + absl::ToDoubleSeconds(absl::Now() - p.published);
      pending.erase(it);
      last_progress = absl::Now();
    }
    return absl::OkStatus();
  }

  absl::Status NoProgress(const std::map<std::string, std::string>& refusals) {
    const std::string where = absl::StrCat("device key '", remote_.device_key, "' on ",
                                           client_->address().ToString());
    const std::string waited = absl::StrCat("no result in ", remote_.worker_timeout_s, " s");
    if (!refusals.empty()) {
      std::vector<std::string> lines;
      for (const auto& [worker, why] : refusals) lines.push_back(why);
      return absl::FailedPreconditionError(absl::StrCat(
          "the workers of ", where, " refused the candidates (", absl::StrJoin(lines, "; "),
          "), ", waited, ": run kiln_worker on machines whose CPU has the target's features"));
    }
    auto live = client_->Command({"ZRANGEBYSCORE", remote::WorkersKey(remote_.device_key),
                                  absl::StrCat(UnixSeconds() - 2 * remote_.worker_timeout_s),
                                  "+inf"});
    std::vector<std::string> names;
    if (live.ok()) {
      for (const remote::RedisReply& n : live->elements) names.push_back(n.str);
    }
    if (names.empty()) {
      return absl::UnavailableError(absl::StrCat(
          "no measurement worker serves ", where, " (", waited,
          "); start one on a machine of the target's kind: kiln_worker --broker=redis://",
          client_->address().host, ":", client_->address().port,
          " --device_key=", remote_.device_key));
    }
    return absl::DeadlineExceededError(absl::StrCat("the workers of ", where, " (",
                                                    absl::StrJoin(names, ", "), ") gave ",
                                                    waited));
  }

  const tuning::KernelHarness harness_;
  const MeasureOption option_;
  const std::vector<float> expected_;
  const RemoteOptions remote_;
  std::unique_ptr<RedisClient> client_;
  const std::string run_id_;
  int64_t next_job_id_ = 0;
  std::string last_reply_id_ = "0-0";
  int published_generation_ = -1;
  std::map<std::string, absl::Time> uploaded_;  // blob key -> when last kept alive
};

}  // namespace

absl::StatusOr<std::unique_ptr<Runner>> MakeRemoteRunner(tuning::KernelHarness harness,
                                                         const MeasureOption& option,
                                                         std::vector<float> expected,
                                                         const RemoteOptions& remote) {
  if (auto st = option.Validate(); !st.ok()) return st;
  if (remote.device_key.empty()) {
    return absl::InvalidArgumentError("a broker needs a device key (--device_key)");
  }
  if (!(remote.worker_timeout_s > 0)) {
    return absl::InvalidArgumentError("the worker timeout must be positive");
  }
  auto address = remote::ParseBrokerUrl(remote.broker);
  if (!address.ok()) return address.status();
  RedisClient::Options o;
  o.reconnect_timeout = absl::Seconds(remote.worker_timeout_s);
  auto client = RedisClient::Connect(*address, o);
  if (!client.ok()) return client.status();
  return std::unique_ptr<Runner>(new RemoteRunner(std::move(harness), option,
                                                  std::move(expected), remote,
                                                  *std::move(client)));
}

absl::StatusOr<MeasureFunction> MakeRemoteMeasure(tuning::KernelHarness harness,
                                                  const targets::Target& target,
                                                  const MeasureOption& option,
                                                  const tuning::Config& reference,
                                                  const RemoteOptions& remote) {
  if (auto st = option.Validate(); !st.ok()) return st;
  auto expected = ReferenceOutput(harness, target, reference);
  if (!expected.ok()) return expected.status();
  std::shared_ptr<Builder> builder = MakeSharedObjectBuilder(harness, target, option.n_parallel);
  auto runner = MakeRemoteRunner(std::move(harness), option, *std::move(expected), remote);
  if (!runner.ok()) return runner.status();
  std::shared_ptr<Runner> shared_runner = *std::move(runner);
  return MeasureFunction([builder, shared_runner](const std::vector<MeasureInput>& inputs) {
    return shared_runner->Run(inputs, builder->Build(inputs));
  });
}

}  // namespace kiln::tuners

// What the tuning host and measurement workers exchange through the broker,
// and where it lives in Redis.
//
//   kiln:jobs:<device key>       stream of measurement jobs; consumer group
//                                "workers" (at-least-once delivery; a dead
//                                worker's pending jobs are claimed by others
//                                after the lease)
//   kiln:replies:<run id>        stream of results for one tuning run
//   kiln:run:<run id>            exists while that run's host is alive
//                                (workers skip the jobs of dead runs)
//   kiln:workers:<device key>    sorted set: worker name -> last heartbeat
//   kiln:worker_info:<device key> hash: worker name -> CPU model and features
//   kiln:blob:<hash>:<bytes>     a buffer's floats, content-addressed, shared
//                                by every job that needs the same data
#ifndef KILN_RUNTIME_REMOTE_PROTOCOL_H_
#define KILN_RUNTIME_REMOTE_PROTOCOL_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runtime/remote/redis_client.h"
#include "runtime/kernel_timer.h"

namespace kiln::remote {

inline constexpr char kWorkerGroup[] = "workers";

std::string JobStream(absl::string_view device_key);
std::string ReplyStream(absl::string_view run_id);
std::string RunKey(absl::string_view run_id);
std::string WorkersKey(absl::string_view device_key);
std::string WorkerInfoKey(absl::string_view device_key);
// Named by a 64-bit hash of the contents and their size.
std::string BlobKey(const std::vector<float>& data);

// One candidate, self-contained but for its buffers' data (blobs).
struct MeasureJob {
  std::string run_id;
  int64_t job_id = 0;          // unique within the run
  std::string shared_object;   // the compiled kernel, ready for dlopen
  std::string function;        // the kernel's exported name
  std::vector<std::string> buffer_blobs;  // inputs then the output
  std::string expected_blob;   // the output the kernel must produce (NaN: unchecked)
  int weight_buffer = 1;       // stays cold when timing with cache flushes
  runtime::TimingOptions timing;
  double timeout_s = 10;       // for the checking run
  // The measure input as records write it (target, template, args, config):
  // what the job measures, for the worker's log and messages.
  std::string description;
};

struct JobResult {
  std::string run_id;
  int64_t job_id = 0;
  // Refused: the worker cannot run the kernel (a CPU feature it lacks); the
  // job goes back to the queue for another worker. Otherwise measured, with
  // error_name "NO_ERROR" or why it failed, as records name it.
  bool refused = false;
  std::string error_name = "NO_ERROR";
  std::string error_msg;
  std::vector<double> costs;
  std::string worker;
};

using Fields = std::vector<std::pair<std::string, std::string>>;

Fields EncodeJob(const MeasureJob& job);
absl::StatusOr<MeasureJob> DecodeJob(const std::map<std::string, std::string>& fields);
Fields EncodeResult(const JobResult& result);
absl::StatusOr<JobResult> DecodeResult(const std::map<std::string, std::string>& fields);

// XADD `stream` * fields...; returns the entry's id.
absl::StatusOr<std::string> AddToStream(RedisClient& client, const std::string& stream,
                                        const Fields& fields);

// A stream entry as XREAD, XREADGROUP and XAUTOCLAIM return it.
struct StreamEntry {
  std::string id;
  std::map<std::string, std::string> fields;
};
// The entries of a reply to XREAD/XREADGROUP (one stream asked for), or of
// a list of [id, fields] pairs; entries without fields (deleted) are skipped.
std::vector<StreamEntry> EntriesOfRead(const RedisReply& reply);
std::vector<StreamEntry> EntriesOfList(const RedisReply& list);

// Creates the device's job stream and its worker group unless they exist;
// both sides call it, so jobs queued before any worker joined are kept.
absl::Status EnsureJobGroup(RedisClient& client, absl::string_view device_key);

std::string FloatsToBytes(const std::vector<float>& v);
absl::StatusOr<std::vector<float>> FloatsFromBytes(absl::string_view bytes);

}  // namespace kiln::remote

#endif  // KILN_RUNTIME_REMOTE_PROTOCOL_H_

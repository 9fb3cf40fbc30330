// Tuning records: one JSON object per measured config, one per line.
//
//   {"version":"kiln-records-v1","target":"llvm -mcpu=skylake-avx512",
//    "task":"conv2d_NCHWc.x86","args":[...],
//    "config":{"index":123,"entity":[["tile_ic","sp",[-1,8]],...]},
//    "result":{"costs":[0.00121,0.00119],"error_no":"NO_ERROR",
//              "error_msg":"","all_cost":1.52,"timestamp":1718000000.25}}
//
// A record with "in_model":true measured the config inside the compiled
// model instead of alone: its costs are the time of the workload's steps and
// of the steps that read their outputs, per run of the whole model, against
// the default's in the same interleaved runs (driver/confirm_in_model.h).
//
// Records are appended and synced one by one, so an interrupted tuning run
// loses at most the line being written; each line is one write() under an
// exclusive lock of the file, so several runs may append to one file. Reading is forgiving line by line
// and strict within a line: a truncated or invalid line is skipped with one
// warning naming its line number and what is wrong, and the rest still load.
#ifndef KILN_TUNERS_RECORDS_H_
#define KILN_TUNERS_RECORDS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ir/tuning/config_space.h"
#include "ir/tuning/json.h"
#include "ir/tuning/task.h"
#include "tuners/measure.h"

namespace kiln::tuners {

inline constexpr absl::string_view kRecordsFormatVersion = "kiln-records-v1";

struct Record {
  std::string target;
  std::string task_name;
  tuning::Json args;
  tuning::Json config;  // Config::ToJson(); decoded against a task's space on use
  MeasureResult result;
  bool in_model = false;  // timed inside the model, not alone (see above)

  std::string WorkloadKey() const;
};

Record MakeRecord(const MeasureInput& input, const MeasureResult& result);
tuning::Json RecordToJson(const Record& record);
// InvalidArgument naming the offending key for anything malformed: wrong
// version, missing keys, wrong types, unknown error names, negative or
// non-finite costs, NO_ERROR without costs.
absl::StatusOr<Record> RecordFromJson(const tuning::Json& json);

// Appends records to a file, creating it if needed.
class RecordWriter {
 public:
  static absl::StatusOr<std::unique_ptr<RecordWriter>> Open(
      const std::string& path);
  ~RecordWriter();
  RecordWriter(const RecordWriter&) = delete;
  RecordWriter& operator=(const RecordWriter&) = delete;

  // Writes one line with a single write() while holding an exclusive flock
  // of the file, and fsyncs it. A failed write (a full disk) is an error
  // that first cuts off whatever part of the line it wrote, leaving the
  // records before it a valid file.
  absl::Status Append(const Record& record);

  const std::string& path() const { return path_; }

 private:
  RecordWriter(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_;
};

struct RecordsFile {
  std::vector<Record> records;  // in file order
  int skipped_lines = 0;        // invalid lines (blank lines do not count)
  int foreign_lines = 0;        // of which do not even start as JSON objects
  int first_skipped_line = 0;   // its line number, 1-based (0: none)
};

// Invalid lines warned about one by one; the rest are counted in one line.
inline constexpr int kSkippedLinesShown = 3;

// NotFound when the file does not exist, other errors when it cannot be
// read, InvalidArgument when it holds no record and lines that are not JSON
// objects (another kind of file); otherwise invalid lines are skipped (see
// above).
absl::StatusOr<RecordsFile> ReadRecords(const std::string& path);
// The same on text in memory; `source` names it in warnings.
RecordsFile ParseRecords(absl::string_view text, absl::string_view source);

// The best config of every workload (AutoTVM's apply_history_best): a
// config's records with error NO_ERROR are pooled into one whose cost is
// the median of all their samples, and the smallest wins, the earliest
// config on ties. Pooling lets later re-measurements overrule a lucky
// sample: the best of many noisy measurements is biased towards flukes.
// Where a workload has in-model records, they decide (a pick that won alone
// but lost inside the model is not taken); the isolated records rank the
// configs to try there. Workloads are keyed by exact target string, task
// name and args.
class HistoryBest {
 public:
  static HistoryBest FromRecords(const std::vector<Record>& records);

  // The chosen config's pooled record (in-model where the workload has
  // them); nullptr when the workload has none.
  const Record* Find(const tuning::TuningTask& task) const;
  // The pooled isolated (`in_model` false) or in-model record of one
  // config; nullptr when it has no valid record of that kind.
  const Record* FindConfig(const tuning::TuningTask& task, const tuning::Config& config,
                           bool in_model = false) const;
  // Up to `limit` configs, best first by their isolated measurements, of
  // those that decode in task.space.
  std::vector<tuning::Config> RankedConfigs(const tuning::TuningTask& task, size_t limit) const;
  // The chosen record's config decoded in task.space (in-model records
  // first, then isolated ones); when the space no longer holds it (the
  // template changed), the next best that decodes. NotFound when no valid
  // record decodes.
  absl::StatusOr<tuning::Config> BestConfig(const tuning::TuningTask& task) const;

  int num_workloads() const { return static_cast<int>(ranked_.size()); }

 private:
  // The ranking that decides the workload's config: in-model, else isolated.
  const std::vector<Record>* Deciding(const tuning::TuningTask& task) const;

  // Pooled records per workload key, one per config, best first: measured
  // alone, and inside the model.
  absl::flat_hash_map<std::string, std::vector<Record>> ranked_;
  absl::flat_hash_map<std::string, std::vector<Record>> in_model_;
};

// ReadRecords + HistoryBest::FromRecords.
absl::StatusOr<HistoryBest> ApplyHistoryBest(const std::string& path);

}  // namespace kiln::tuners

#endif  // KILN_TUNERS_RECORDS_H_

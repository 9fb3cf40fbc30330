// A tuning run's records in memory, backed by the records file: read once
// when the run starts, every new record appended to the file (synced, as
// RecordWriter does) and kept in memory, so that resuming, choosing what to
// confirm and reporting never re-read the file.
#ifndef KILN_TUNERS_RECORD_STORE_H_
#define KILN_TUNERS_RECORD_STORE_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tuners/records.h"

namespace kiln::tuners {

class RecordStore {
 public:
  // Reads `path` (a missing file is an empty store) and opens it for
  // appending, creating it, so a bad path fails before any tuning time is
  // spent.
  static absl::StatusOr<std::unique_ptr<RecordStore>> Open(const std::string& path);

  absl::Status Append(const Record& record);

  const std::string& path() const { return path_; }
  const std::vector<Record>& records() const { return records_; }
  // Records the file held when it was opened.
  size_t loaded() const { return loaded_; }
  // Records appended since (readable from a signal handler).
  const std::atomic<int>& appended() const { return appended_; }
  HistoryBest Best() const { return HistoryBest::FromRecords(records_); }

 private:
  RecordStore(std::string path, std::vector<Record> records, std::unique_ptr<RecordWriter> writer)
      : path_(std::move(path)),
        records_(std::move(records)),
        loaded_(records_.size()),
        writer_(std::move(writer)) {}

  std::string path_;
  std::vector<Record> records_;
  size_t loaded_;
  std::unique_ptr<RecordWriter> writer_;
  std::atomic<int> appended_{0};
};

}  // namespace kiln::tuners

#endif  // KILN_TUNERS_RECORD_STORE_H_

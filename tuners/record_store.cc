#include "tuners/record_store.h"

namespace kiln::tuners {

absl::StatusOr<std::unique_ptr<RecordStore>> RecordStore::Open(const std::string& path) {
  std::vector<Record> records;
  auto file = ReadRecords(path);
  if (file.ok()) {
    records = std::move(file->records);
  } else if (!absl::IsNotFound(file.status())) {
    return file.status();
  }
  auto writer = RecordWriter::Open(path);
  if (!writer.ok()) return writer.status();
  return std::unique_ptr<RecordStore>(
      new RecordStore(path, std::move(records), *std::move(writer)));
}

absl::Status RecordStore::Append(const Record& record) {
  if (auto st = writer_->Append(record); !st.ok()) return st;
  records_.push_back(record);
  appended_.fetch_add(1, std::memory_order_relaxed);
  return absl::OkStatus();
}

}  // namespace kiln::tuners

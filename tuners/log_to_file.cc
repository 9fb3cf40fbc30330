#include "tuners/log_to_file.h"

#include <memory>
#include <utility>

#include "tuners/records.h"

namespace kiln::tuners {

absl::StatusOr<Callback> LogToFile(const std::string& path) {
  absl::StatusOr<std::unique_ptr<RecordWriter>> opened =
      RecordWriter::Open(path);
  if (!opened.ok()) return opened.status();
  std::shared_ptr<RecordWriter> writer = *std::move(opened);
  Callback callback;
  callback.on_batch = [writer](const TuneState&,
                               const std::vector<MeasureInput>& inputs,
                               const std::vector<MeasureResult>& results) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      absl::Status status = writer->Append(MakeRecord(inputs[i], results[i]));
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  };
  return callback;
}

}  // namespace kiln::tuners

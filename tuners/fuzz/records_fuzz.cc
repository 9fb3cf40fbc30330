// Records files on arbitrary text: every line is a record or a skipped
// line, and whatever loads pools into a HistoryBest.
#include <cstddef>
#include <cstdint>

#include "third_party/fuzzing/fuzz_check.h"
#include "tuners/records.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  const kiln::tuners::RecordsFile file = kiln::tuners::ParseRecords(text, "fuzz input");
  for (const auto& record : file.records) {
    // A record that loaded writes back to a line that loads again.
    auto again = kiln::tuners::RecordFromJson(kiln::tuners::RecordToJson(record));
    KILN_FUZZ_CHECK(again.ok());
    KILN_FUZZ_CHECK(again->WorkloadKey() == record.WorkloadKey());
  }
  const auto best = kiln::tuners::HistoryBest::FromRecords(file.records);
  KILN_FUZZ_CHECK(best.num_workloads() <= static_cast<int>(file.records.size()));
  return 0;
}

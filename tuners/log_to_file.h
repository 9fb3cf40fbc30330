// A tuning callback that appends every measurement to a records file
// (records.h), synced per record so an interrupted run loses nothing.
#ifndef KILN_TUNERS_LOG_TO_FILE_H_
#define KILN_TUNERS_LOG_TO_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "tuners/tune_loop.h"

namespace kiln::tuners {

// Opens (creates or appends to) `path` now, so a bad path fails before any
// tuning time is spent.
absl::StatusOr<Callback> LogToFile(const std::string& path);

}  // namespace kiln::tuners

#endif  // KILN_TUNERS_LOG_TO_FILE_H_

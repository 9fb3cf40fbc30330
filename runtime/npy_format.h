// NumPy's .npy and .npz files, so that numpy users write inputs and read
// outputs directly: np.save / np.savez / np.load.
//
// .npz is a ZIP archive of .npy entries; entries are read when stored
// uncompressed (np.savez) and written that way. Anything else is a clear
// error, never a crash.
#ifndef KILN_RUNTIME_NPY_FORMAT_H_
#define KILN_RUNTIME_NPY_FORMAT_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runtime/ndarray.h"

namespace kiln::runtime {

absl::StatusOr<NDArray> ParseNpy(absl::string_view bytes);
std::string SerializeNpy(const NDArray& array);

absl::StatusOr<NDArray> ReadNpyFile(const std::string& path);
absl::Status WriteNpyFile(const std::string& path, const NDArray& array);

// Keys as np.load gives them: entry names without ".npy", in archive order.
absl::StatusOr<std::vector<std::pair<std::string, NDArray>>> ReadNpzFile(const std::string& path);
absl::StatusOr<std::vector<std::pair<std::string, NDArray>>> ParseNpz(absl::string_view bytes);
absl::Status WriteNpzFile(const std::string& path,
                          const std::vector<std::pair<std::string, NDArray>>& arrays);
// Unimplemented when the archive would need ZIP64 (over 4 GiB or 65534 entries).
absl::StatusOr<std::string> SerializeNpz(
    const std::vector<std::pair<std::string, NDArray>>& arrays);

}  // namespace kiln::runtime

#endif  // KILN_RUNTIME_NPY_FORMAT_H_

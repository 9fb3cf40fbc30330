// .npy and .npz bytes: an error or arrays whose bytes are all readable and
// which serialize back to files that parse to the same shapes.
#include <cstddef>
#include <cstdint>

#include "third_party/fuzzing/fuzz_check.h"
#include "runtime/npy_format.h"

namespace {

// Touches every byte, so ASan sees an array that claims more than it holds.
uint8_t Fold(const kiln::runtime::NDArray& array) {
  const auto* bytes = static_cast<const uint8_t*>(array.raw_data());
  uint8_t x = 0;
  for (int64_t i = 0; i < array.NumBytes(); ++i) x ^= bytes[i];
  return x;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto array = kiln::runtime::ParseNpy(bytes); array.ok()) {
    volatile uint8_t sink = Fold(*array);
    (void)sink;
    auto again = kiln::runtime::ParseNpy(kiln::runtime::SerializeNpy(*array));
    KILN_FUZZ_CHECK(again.ok());
    KILN_FUZZ_CHECK(again->shape() == array->shape());
  }
  if (auto arrays = kiln::runtime::ParseNpz(bytes); arrays.ok()) {
    for (const auto& [name, array] : *arrays) {
      volatile uint8_t sink = Fold(array);
      (void)sink;
    }
    auto archive = kiln::runtime::SerializeNpz(*arrays);
    if (archive.ok()) {
      auto again = kiln::runtime::ParseNpz(*archive);
      KILN_FUZZ_CHECK(again.ok());
      KILN_FUZZ_CHECK(again->size() == arrays->size());
    }
  }
  return 0;
}

// The JSON reader on arbitrary text: an error or a value, and a value's
// Dump() reads back to the same value's Dump().
#include <cstddef>
#include <cstdint>

#include "third_party/fuzzing/fuzz_check.h"
#include "ir/tuning/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto json = kiln::tuning::ParseJson(text);
  if (!json.ok()) return 0;
  const std::string dumped = json->Dump();
  auto again = kiln::tuning::ParseJson(dumped);
  KILN_FUZZ_CHECK(again.ok());
  KILN_FUZZ_CHECK(again->Dump() == dumped);
  return 0;
}

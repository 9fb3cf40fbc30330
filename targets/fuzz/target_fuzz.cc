// Target strings (`--target`): an error or a target whose ToString() parses
// back to the same target.
#include <cstddef>
#include <cstdint>

#include "third_party/fuzzing/fuzz_check.h"
#include "targets/target_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto target = kiln::targets::ParseTarget(text);
  if (!target.ok()) return 0;
  auto again = kiln::targets::ParseTarget(target->ToString());
  KILN_FUZZ_CHECK(again.ok());
  KILN_FUZZ_CHECK(again->ToString() == target->ToString());
  return 0;
}

// --input_shapes values: an error or shapes whose every dimension is
// positive, and which print back to a value that parses to the same shapes.
#include <cstddef>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "driver/input_shapes.h"
#include "third_party/fuzzing/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view spec(reinterpret_cast<const char*>(data), size);
  auto shapes = kiln::driver::ParseInputShapes(spec);
  if (!shapes.ok()) return 0;
  std::string printed;
  for (const auto& [name, shape] : *shapes) {
    for (int64_t d : shape) KILN_FUZZ_CHECK(d > 0);
    absl::StrAppend(&printed, name, ":[", absl::StrJoin(shape, ","), "];");
  }
  auto again = kiln::driver::ParseInputShapes(printed);
  KILN_FUZZ_CHECK(again.ok());
  KILN_FUZZ_CHECK(*again == *shapes);
  return 0;
}

#include "driver/input_shapes.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace kiln::driver {

namespace {

bool IsSeparator(char c) { return c == ',' || c == ';' || absl::ascii_isspace(c); }

absl::Status BadEntry(absl::string_view entry, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "input shape '", entry, "' ", why,
      "; expected name:[d0,d1,...], several separated by spaces, commas or semicolons"));
}

}  // namespace

absl::StatusOr<frontend::InputShapes> ParseInputShapes(absl::string_view spec) {
  frontend::InputShapes shapes;
  size_t pos = 0;
  for (;;) {
    while (pos < spec.size() && IsSeparator(spec[pos])) ++pos;
    if (pos == spec.size()) break;
    const size_t open = spec.find('[', pos);
    if (open == absl::string_view::npos) {
      size_t end = pos;
      while (end < spec.size() && !IsSeparator(spec[end])) ++end;
      return BadEntry(spec.substr(pos, end - pos), "has no [dimensions]");
    }
    // Separators inside the brackets belong to the entry.
    const size_t close = spec.find(']', open);
    const absl::string_view entry =
        spec.substr(pos, close == absl::string_view::npos ? absl::string_view::npos
                                                          : close + 1 - pos);
    if (close == absl::string_view::npos) return BadEntry(entry, "has no closing ]");
    absl::string_view name = absl::StripTrailingAsciiWhitespace(spec.substr(pos, open - pos));
    if (!absl::ConsumeSuffix(&name, ":") || name.empty() ||
        std::any_of(name.begin(), name.end(), IsSeparator)) {
      return BadEntry(entry, "does not start with a name and a colon");
    }
    std::vector<int64_t> shape;
    const absl::string_view dims = spec.substr(open + 1, close - open - 1);
    if (!absl::StripAsciiWhitespace(dims).empty()) {
      for (absl::string_view d : absl::StrSplit(dims, ',')) {
        d = absl::StripAsciiWhitespace(d);
        int64_t v = 0;
        if (!absl::SimpleAtoi(d, &v) || v < 1) {
          return BadEntry(entry,
                          absl::StrCat("has the dimension '", d, "', not a positive integer"));
        }
        shape.push_back(v);
      }
    }
    if (!shapes.emplace(std::string(name), shape).second) {
      return absl::InvalidArgumentError(absl::StrCat("input '", name, "' has two shapes"));
    }
    pos = close + 1;
    if (pos < spec.size() && !IsSeparator(spec[pos])) {
      size_t end = pos;
      while (end < spec.size() && !IsSeparator(spec[end])) ++end;
      return BadEntry(spec.substr(pos, end - pos), "follows a shape without a separator");
    }
  }
  return shapes;
}

}  // namespace kiln::driver

#include "runtime/env_flag.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace kiln::runtime {

bool IsTrueValue(absl::string_view value) {
  value = absl::StripAsciiWhitespace(value);
  for (absl::string_view yes : {"1", "true", "yes", "on"}) {
    if (absl::EqualsIgnoreCase(value, yes)) return true;
  }
  return false;
}

bool EnvFlag(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && IsTrueValue(value);
}

}  // namespace kiln::runtime

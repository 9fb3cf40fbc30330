// Boolean switches from the environment (KILN_DUMP_GRAPH, KILN_DUMP_LOWER,
// KILN_DUMP_LLVM), read the same way everywhere.
#ifndef KILN_RUNTIME_ENV_FLAG_H_
#define KILN_RUNTIME_ENV_FLAG_H_

#include "absl/strings/string_view.h"

namespace kiln::runtime {

// Whether `value` switches something on: 1, true, yes or on (any case).
// Anything else, including 0, false, no and the empty string, is off, so
// that setting a variable to 0 turns it off rather than on.
bool IsTrueValue(absl::string_view value);

// IsTrueValue of the environment variable `name`; false when it is unset.
bool EnvFlag(const char* name);

}  // namespace kiln::runtime

#endif  // KILN_RUNTIME_ENV_FLAG_H_

// Parsing TVM-style target strings: "llvm", "llvm -mcpu=skylake-avx512",
// "llvm -mcpu=native -num-cores=2", "llvm -mattr=+avx2,+fma".
#ifndef KILN_TARGETS_TARGET_PARSER_H_
#define KILN_TARGETS_TARGET_PARSER_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "targets/target.h"

namespace kiln::targets {

// Unknown kinds, CPUs, options or features are errors listing what exists.
// Targets the host cannot run still parse (cross-compiling is legal).
absl::StatusOr<Target> ParseTarget(absl::string_view text);

// FailedPrecondition naming the missing features when this host cannot run
// code built for `target`.
absl::Status CheckHostCanRun(const Target& target);

}  // namespace kiln::targets

#endif  // KILN_TARGETS_TARGET_PARSER_H_

// Ahead-of-time compilation: lowered functions to an ELF object, objects to
// a shared library a deployed runtime can load.
#ifndef KILN_CODEGEN_OBJECT_EMITTER_H_
#define KILN_CODEGEN_OBJECT_EMITTER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ir/stmt.h"
#include "targets/target.h"

namespace kiln::codegen {

// The bytes of a relocatable, position-independent object file.
absl::StatusOr<std::string> EmitObject(const std::vector<ir::LoweredFunc>& funcs,
                                       const targets::Target& target);

// Links objects into a shared library with the system C compiler driver
// (`cc`, from PATH), which also brings in libm.
absl::Status LinkSharedLibrary(const std::vector<std::string>& object_paths,
                               const std::string& output_path);

}  // namespace kiln::codegen

#endif  // KILN_CODEGEN_OBJECT_EMITTER_H_

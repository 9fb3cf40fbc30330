// Plugins loaded at start-up: `kiln --plugin=path/libmy_tuner.so` opens a
// shared object whose static initializers register tuners or targets
// (KILN_REGISTER), so a tuner built outside the repository needs neither a
// rebuild of kiln nor an edit of its BUILD files.
//
// A plugin is linked against kiln's libraries, so it carries its own copy
// of the registries' code; the kiln binary exports its symbols (-rdynamic),
// so the dynamic linker binds the plugin's calls to the binary's registries
// and the plugin registers where the binary looks.
#ifndef KILN_DRIVER_PLUGINS_H_
#define KILN_DRIVER_PLUGINS_H_

#include <string>

#include "absl/status/status.h"

namespace kiln::driver {

// Loads the shared object at `path` (a bare name is the file in the current
// directory) and keeps it loaded. An error when it cannot be loaded, when a
// registration clashed, or when it registered no tuner, target kind or CPU.
absl::Status LoadPlugin(const std::string& path);

}  // namespace kiln::driver

#endif  // KILN_DRIVER_PLUGINS_H_

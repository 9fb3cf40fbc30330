// For tests that run the kiln binaries as a user would, from a shell.
#ifndef KILN_DRIVER_TEST_COMMAND_H_
#define KILN_DRIVER_TEST_COMMAND_H_

#include <string>

namespace kiln::driver {

struct Result {
  int exit_code;       // -1 when the command did not exit normally
  std::string output;  // stdout and stderr
};

// Runs `command` with sh, from the test's runfiles folder.
Result Sh(const std::string& command);

// `name` in the test's temporary folder.
std::string Tmp(const std::string& name);

// The whole file, "" when it cannot be read.
std::string ReadFile(const std::string& path);

}  // namespace kiln::driver

#endif  // KILN_DRIVER_TEST_COMMAND_H_

// Start-up shared by the kiln binaries: flags and logging set up for users.
#ifndef KILN_DRIVER_COMMAND_LINE_H_
#define KILN_DRIVER_COMMAND_LINE_H_

namespace kiln::driver {

// Parses the flags (removing them from argv) and starts glog. --help lists
// only the flags defined in the file whose path contains `own_flags_file`:
// gflags' own --help puts ~60 flags of glog and gflags first (--helpfull
// still shows them). Log lines carry no glog prefix (severity, time, thread,
// source line), since progress and warnings are read by users. True when
// --help was answered and the binary should exit with 0.
bool InitCommandLine(int* argc, char*** argv, const char* own_flags_file);

}  // namespace kiln::driver

#endif  // KILN_DRIVER_COMMAND_LINE_H_

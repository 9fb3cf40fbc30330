#include "driver/command_line.h"

#include "gflags/gflags.h"
#include "glog/logging.h"

DECLARE_bool(help);

namespace kiln::driver {

bool InitCommandLine(int* argc, char*** argv, const char* own_flags_file) {
  gflags::ParseCommandLineNonHelpFlags(argc, argv, /*remove_flags=*/true);
  if (FLAGS_help) {
    gflags::ShowUsageWithFlagsRestrict((*argv)[0], own_flags_file);
    return true;
  }
  gflags::HandleCommandLineHelpFlags();
  FLAGS_log_prefix = false;
  FLAGS_logtostderr = true;
  google::InitGoogleLogging((*argv)[0]);
  return false;
}

}  // namespace kiln::driver

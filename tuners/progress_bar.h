// AutoTVM's progress line as a tuning callback:
//   [Task  1/25]  Current/Best:   17.48/  23.90 GFLOPS | Progress: (20/20) | 15.17 s Done.
// On a terminal the line is rewritten in place ('\r') after every batch and
// ends with a newline when tuning finishes; into a file or pipe every update
// is a line of its own, so logs stay readable.
#ifndef KILN_TUNERS_PROGRESS_BAR_H_
#define KILN_TUNERS_PROGRESS_BAR_H_

#include <cstdio>
#include <string>

#include "tuners/tune_loop.h"

namespace kiln::tuners {

struct ProgressLine {
  int task_index = 1;  // 1-based
  int task_count = 1;
  // Replaces "[Task  i/ n] " when set (AutoTVM's progress_bar(prefix=)).
  std::string prefix;
  double current = 0;  // in `unit`
  double best = 0;
  std::string unit = "GFLOPS";
  int done = 0;
  int total = 0;
  double elapsed_seconds = 0;
  bool finished = false;
};

std::string FormatProgressLine(const ProgressLine& line);

struct ProgressBarOptions {
  int task_index = 1;
  int task_count = 1;
  std::string prefix;  // see ProgressLine::prefix
  std::FILE* out = stderr;  // not owned
  enum class Mode { kAuto, kInPlace, kLines };
  Mode mode = Mode::kAuto;  // kAuto: in place iff `out` is a terminal
};

// Throughput is shown in GFLOPS, or in runs/s for tasks without a flop count.
Callback ProgressBar(const ProgressBarOptions& options = {});

}  // namespace kiln::tuners

#endif  // KILN_TUNERS_PROGRESS_BAR_H_
